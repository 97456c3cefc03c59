// The space's real-time chat: rooms, messages, the composer and presence, driven by the
// space WebSocket (see src/chat/protocol.rs for the messages). The chosen room is kept
// in the address as #room-N, so a reload returns to it.
(function () {
  "use strict";

  var space = document.querySelector(".space");
  var CoworkChat = window.CoworkChat;
  if (!space || !CoworkChat || !CoworkChat.view || !document.getElementById("message-list")) {
    return;
  }
  var view = CoworkChat.view;
  var t = view.t;

  /** Maximum changes the server sends for one `since_rev` join. Any more need another join. */
  var RESUME_LIMIT = 500;
  /** Distance from the top of the log, in pixels, at which older messages load. */
  var LOAD_OLDER_MARGIN = 40;
  /** Distance from the bottom, in pixels, within which new messages keep the log scrolled down. */
  var STICK_TO_BOTTOM_MARGIN = 80;
  /** How long the log stays busy after a history page is added, in milliseconds. */
  var QUIET_LOG_MS = 250;

  var dom = {
    rooms: document.getElementById("room-list"),
    roomTitle: document.getElementById("room-title"),
    roomTopic: document.getElementById("room-topic"),
    connection: document.getElementById("connection-status"),
    log: document.getElementById("message-log"),
    list: document.getElementById("message-list"),
    empty: document.getElementById("message-empty"),
    loadOlder: document.getElementById("load-older"),
    error: document.getElementById("chat-error"),
    composer: document.getElementById("composer"),
    composerLabel: document.getElementById("composer-label"),
    text: document.getElementById("composer-text"),
    context: document.getElementById("composer-context"),
    contextText: document.getElementById("composer-context-text"),
    cancel: document.getElementById("composer-cancel"),
    stanceField: document.getElementById("stance-field"),
    stance: document.getElementById("composer-stance"),
    send: document.getElementById("composer-send"),
    readOnly: document.getElementById("read-only-note"),
    status: document.getElementById("status-select"),
    online: document.getElementById("online-list"),
  };

  var state = {
    userId: null,
    moderator: false,
    rooms: [],
    online: new Map(),
    roomId: null,
    /** Messages of the current room by id. */
    messages: new Map(),
    /** Message list items by message id. */
    items: new Map(),
    /** Highest revision seen in the current room, for `since_rev`. */
    maxRev: 0,
    moreBefore: false,
    loadingOlder: false,
    /** True from entering a room until its first history page arrives. */
    awaitingFirstPage: false,
    replyTo: null,
    editingId: null,
    /** The `send` or `edit` waiting for its `ack`: kind, ref or id, and body. */
    pending: null,
    chosenStatus: "available",
    sentCount: 0,
  };

  var reactionSet = (space.getAttribute("data-reactions") || "").split(" ").filter(Boolean);
  var statuses = (space.getAttribute("data-statuses") || "").split(" ").filter(Boolean);

  // Connection.

  var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var spacePath = "/spaces/" + encodeURIComponent(space.getAttribute("data-space-id"));

  // Asks for a connection token, which lives one minute, before every connection
  // attempt; the session token itself never goes into the WebSocket URL.
  function locateSocket(done) {
    fetch(spacePath + "/socket-token", {
      method: "POST",
      headers: {
        "X-Cowork-Token": space.getAttribute("data-token"),
        Accept: "application/json",
      },
    })
      .then(function (response) {
        return response.json().then(function (reply) {
          if (!response.ok || !reply.token) {
            throw new Error(reply.message || "HTTP " + response.status);
          }
          done(
            scheme +
              "//" +
              window.location.host +
              spacePath +
              "/ws?socket_token=" +
              encodeURIComponent(reply.token)
          );
        });
      })
      .catch(function (error) {
        console.warn("cowork: no WebSocket connection token", error);
        done(null);
      });
  }

  var connection = new CoworkChat.ReconnectingSocket(locateSocket, {
    open: function () {},
    message: handleServerMessage,
    close: function () {
      showConnection("reconnecting");
      // A request still waiting for its ack is lost with the connection. The composer
      // keeps its text, so it can be sent again.
      state.pending = null;
      state.loadingOlder = false;
      updateLoadOlder();
    },
  });

  function showConnection(key) {
    dom.connection.textContent = t(key);
    dom.connection.setAttribute("data-state", key);
  }

  function send(message) {
    if (!connection.send(message)) {
      showError(t("not_connected"));
      return false;
    }
    return true;
  }

  function showError(text) {
    dom.error.textContent = text;
    dom.error.hidden = false;
  }

  function clearError() {
    dom.error.hidden = true;
    dom.error.textContent = "";
  }

  function handleServerMessage(message) {
    switch (message.type) {
      case "hello":
        handleHello(message);
        break;
      case "history":
        handleHistory(message);
        break;
      case "message":
        if (message.room_id === state.roomId) {
          var atBottom = isNearBottom();
          mergeMessages([message.message], true);
          if (atBottom) {
            scrollToBottom();
          }
        }
        break;
      case "ack":
        handleAck(message);
        break;
      case "presence":
        handlePresence(message);
        break;
      case "rooms":
        handleRooms(message.rooms);
        break;
      case "resync":
        joinRoom(state.roomId, true);
        break;
      case "error":
        state.pending = null;
        state.loadingOlder = false;
        updateLoadOlder();
        showError(t("request_failed", { message: message.message }));
        break;
      default:
        break;
    }
  }

  function handleHello(hello) {
    connection.healthy();
    showConnection("connected");
    state.userId = typeof hello.user_id === "number" ? hello.user_id : null;
    state.moderator = hello.role === "teacher" || hello.role === "admin";
    state.online = new Map();
    (hello.online || []).forEach(function (entry) {
      state.online.set(entry.user_id, entry);
    });
    applyWriteAccess();
    setRooms(hello.rooms || []);
    // The server starts every connection as available, so a different choice is sent again.
    if (state.userId !== null && state.chosenStatus !== "available") {
      send({ type: "status", status: state.chosenStatus });
    }
    var resumeId = state.roomId;
    if (resumeId !== null && findRoom(resumeId)) {
      joinRoom(resumeId, true);
    } else {
      enterRoom(roomFromHash() || openRoomId());
    }
  }

  // Rooms.

  function findRoom(id) {
    for (var index = 0; index < state.rooms.length; index++) {
      if (state.rooms[index].id === id) {
        return state.rooms[index];
      }
    }
    return null;
  }

  function openRoomId() {
    var open = state.rooms.filter(function (room) {
      return room.default_key === "open";
    })[0];
    if (open) {
      return open.id;
    }
    if (state.rooms.length > 0) {
      return state.rooms[0].id;
    }
    return null;
  }

  function roomFromHash() {
    var match = /^#room-(\d+)$/.exec(window.location.hash);
    if (!match) {
      return null;
    }
    var id = Number(match[1]);
    return findRoom(id) ? id : null;
  }

  function setRooms(rooms) {
    state.rooms = rooms
      .filter(function (room) {
        return room.archived_at === null || room.archived_at === undefined;
      })
      .sort(function (a, b) {
        return a.position - b.position || a.id - b.id;
      });
    view.renderRooms(dom.rooms, state.rooms, state.roomId);
    renderOnline();
  }

  function handleRooms(rooms) {
    setRooms(rooms);
    if (state.roomId === null) {
      return;
    }
    var current = findRoom(state.roomId);
    if (current) {
      showRoomHeader(current);
    } else {
      enterRoom(openRoomId());
      showError(t("room_closed"));
    }
  }

  /** Switches to `roomId`: clears the log, updates the address and joins. */
  function enterRoom(roomId) {
    if (roomId === null) {
      return;
    }
    var room = findRoom(roomId);
    state.roomId = roomId;
    state.messages = new Map();
    state.items = new Map();
    state.maxRev = 0;
    state.moreBefore = false;
    state.loadingOlder = false;
    state.awaitingFirstPage = true;
    dom.list.replaceChildren();
    cancelComposerContext();
    clearError();
    if (window.location.hash !== "#room-" + roomId) {
      window.history.replaceState(null, "", "#room-" + roomId);
    }
    view.renderRooms(dom.rooms, state.rooms, roomId);
    dom.stance.value = "";
    showRoomHeader(room);
    updateEmpty();
    updateLoadOlder();
    joinRoom(roomId, false);
  }

  /** Sends `join`. With `resume`, it requests only the changes after the highest revision seen. */
  function joinRoom(roomId, resume) {
    if (roomId === null) {
      return;
    }
    var request = { type: "join", room_id: roomId };
    if (resume && state.maxRev > 0) {
      request.since_rev = state.maxRev;
    }
    send(request);
  }

  function showRoomHeader(room) {
    dom.roomTitle.textContent = room.name;
    var topic = room.topic || (room.default_key === "open" ? t("open_space_intro") : "");
    dom.roomTopic.textContent = topic;
    dom.roomTopic.hidden = topic === "";
    dom.composerLabel.textContent = t("message_in_room", { room: room.name });

    var positions = discussionPositions(room);
    var chosen = dom.stance.value;
    dom.stance.replaceChildren(view.el("option", { value: "", text: t("no_position") }));
    positions.forEach(function (position) {
      dom.stance.appendChild(view.el("option", { value: position, text: position }));
    });
    // A change to the room list keeps the position chosen in this room.
    dom.stance.value = positions.indexOf(chosen) !== -1 ? chosen : "";
    dom.stanceField.hidden = positions.length === 0 || state.editingId !== null;
  }

  function discussionPositions(room) {
    if (room.kind !== "discussion" || !room.positions) {
      return [];
    }
    return room.positions
      .split("\n")
      .map(function (line) {
        return line.trim();
      })
      .filter(Boolean);
  }

  window.addEventListener("hashchange", function () {
    var id = roomFromHash();
    if (id !== null && id !== state.roomId) {
      enterRoom(id);
    }
  });

  // Messages.

  function handleHistory(history) {
    if (history.room_id !== state.roomId) {
      return;
    }
    var older = state.loadingOlder && !history.since;
    var scrollFromBottom = dom.log.scrollHeight - dom.log.scrollTop;
    var firstPage = state.awaitingFirstPage;
    state.awaitingFirstPage = false;
    quietLog();
    mergeMessages(history.messages, history.since);
    if (!history.since) {
      state.moreBefore = history.more_before;
      state.loadingOlder = false;
    }
    updateLoadOlder();
    if (older) {
      // Keep the messages the reader was looking at in place.
      dom.log.scrollTop = dom.log.scrollHeight - scrollFromBottom;
    } else if (firstPage) {
      scrollToBottom();
    }
    if (history.since && history.messages.length >= RESUME_LIMIT) {
      joinRoom(state.roomId, true);
    }
  }

  var quietTimer = null;

  /**
   * Marks the log busy for a moment, so screen readers do not read out a whole page of
   * history as if it were new. Messages that arrive live are still announced later.
   */
  function quietLog() {
    dom.log.setAttribute("aria-busy", "true");
    window.clearTimeout(quietTimer);
    // NOTE: browsers update the accessibility tree some time after the DOM changes.
    // QUIET_LOG_MS is an estimate of that delay, not a measured bound.
    quietTimer = window.setTimeout(function () {
      dom.log.removeAttribute("aria-busy");
    }, QUIET_LOG_MS);
  }

  /**
   * Stores messages and updates the list. A message keeps its newest revision. With
   * `live`, a message older than the loaded window is skipped, because paging back
   * fetches its current version later.
   */
  function mergeMessages(messages, live) {
    var changed = [];
    messages.forEach(function (message) {
      state.maxRev = Math.max(state.maxRev, message.rev);
      var known = state.messages.get(message.id);
      if (known && known.rev >= message.rev) {
        return;
      }
      if (!known && live && state.moreBefore && message.seq < oldestSeq()) {
        return;
      }
      state.messages.set(message.id, message);
      changed.push(message);
    });
    changed.forEach(placeMessage);
    changed.forEach(function (message) {
      renderMessage(message);
      // Replies quote their parent, so they follow its changes.
      var item = state.items.get(message.id);
      var replies = item.querySelector(":scope > ol.replies");
      if (replies) {
        Array.prototype.forEach.call(replies.children, function (child) {
          var reply = state.messages.get(Number(child.getAttribute("data-id")));
          if (reply) {
            renderMessage(reply);
          }
        });
      }
    });
    updateEmpty();
  }

  function oldestSeq() {
    var oldest = Infinity;
    state.messages.forEach(function (message) {
      oldest = Math.min(oldest, message.seq);
    });
    return oldest;
  }

  /** Puts a message's item under its parent, or at the top level while the parent is unknown. */
  function placeMessage(message) {
    if (state.items.has(message.id)) {
      return;
    }
    var item = view.createMessageItem(message);
    state.items.set(message.id, item);
    var parentItem = message.parent_id ? state.items.get(message.parent_id) : null;
    view.insertBySeq(parentItem ? view.repliesOf(parentItem) : dom.list, item);
    // Replies that arrived before this message move under it.
    Array.prototype.slice.call(dom.list.children).forEach(function (child) {
      if (Number(child.getAttribute("data-parent-id")) === message.id) {
        view.insertBySeq(view.repliesOf(item), child);
      }
    });
  }

  function renderMessage(message) {
    var parent = message.parent_id ? state.messages.get(message.parent_id) || null : null;
    view.updateMessageItem(message, {
      item: state.items.get(message.id),
      parent: parent,
      userId: state.userId,
      moderator: state.moderator,
      canWrite: state.userId !== null,
      mentionsMe: state.userId !== null && (message.mentions || []).indexOf(state.userId) !== -1,
      reactionSet: reactionSet,
    });
  }

  function updateEmpty() {
    dom.empty.hidden = state.messages.size > 0;
  }

  function updateLoadOlder() {
    // The log takes the focus when the focused button disappears.
    if (!state.moreBefore && document.activeElement === dom.loadOlder) {
      dom.log.focus();
    }
    dom.loadOlder.hidden = !state.moreBefore;
    // aria-disabled rather than disabled, so a keyboard user keeps the focus here.
    dom.loadOlder.setAttribute("aria-disabled", state.loadingOlder ? "true" : "false");
    dom.loadOlder.textContent = state.loadingOlder ? t("loading_older") : t("load_older");
  }

  function loadOlder() {
    if (!state.moreBefore || state.loadingOlder || state.messages.size === 0) {
      return;
    }
    if (send({ type: "history", room_id: state.roomId, before_seq: oldestSeq() })) {
      state.loadingOlder = true;
      updateLoadOlder();
    }
  }

  function isNearBottom() {
    return dom.log.scrollHeight - dom.log.scrollTop - dom.log.clientHeight < STICK_TO_BOTTOM_MARGIN;
  }

  function scrollToBottom() {
    dom.log.scrollTop = dom.log.scrollHeight;
  }

  dom.loadOlder.addEventListener("click", loadOlder);
  dom.log.addEventListener("scroll", function () {
    if (dom.log.scrollTop < LOAD_OLDER_MARGIN) {
      loadOlder();
    }
  });

  dom.list.addEventListener("click", function (event) {
    var control = event.target.closest("[data-action]");
    var item = event.target.closest(".message-item");
    if (!control || !item) {
      return;
    }
    var message = state.messages.get(Number(item.getAttribute("data-id")));
    if (!message) {
      return;
    }
    var action = control.getAttribute("data-action");
    if (action === "show-parent") {
      event.preventDefault();
      showMessage(message.parent_id);
      return;
    }
    runAction(action, message, control);
  });

  function runAction(action, message, control) {
    switch (action) {
      case "reply":
        startReply(message);
        break;
      case "edit":
        startEdit(message);
        break;
      case "delete":
        if (window.confirm(t("confirm_delete"))) {
          send({ type: "delete", message_id: message.id });
        }
        break;
      case "react": {
        var emoji = control.getAttribute("data-emoji");
        var reaction = message.reactions.filter(function (r) {
          return r.emoji === emoji;
        })[0];
        var mine = Boolean(reaction) && reaction.user_ids.indexOf(state.userId) !== -1;
        send({ type: "react", message_id: message.id, emoji: emoji, on: !mine });
        var picker = control.closest("details");
        if (picker) {
          picker.open = false;
        }
        break;
      }
      case "pin":
      case "unpin":
        send({ type: "pin", message_id: message.id, on: action === "pin" });
        break;
      case "hide":
      case "unhide":
        send({ type: "hide", message_id: message.id, on: action === "hide" });
        break;
      default:
        break;
    }
  }

  /** Scrolls to a message and focuses it, so keyboard users land on it too. */
  function showMessage(id) {
    var item = state.items.get(id);
    if (!item) {
      return;
    }
    var article = item.querySelector(":scope > article");
    article.scrollIntoView({ block: "center" });
    article.focus({ preventScroll: true });
  }

  // Composer.

  function applyWriteAccess() {
    var canWrite = state.userId !== null;
    dom.composer.hidden = !canWrite;
    dom.readOnly.hidden = canWrite;
    dom.status.disabled = !canWrite;
  }

  function startReply(message) {
    state.editingId = null;
    state.replyTo = message;
    showComposerContext(t("replying_to", { name: message.author_name }));
    dom.text.focus();
  }

  function startEdit(message) {
    state.replyTo = null;
    state.editingId = message.id;
    dom.text.value = message.body;
    showComposerContext(t("editing"));
    dom.send.textContent = t("save");
    dom.stanceField.hidden = true;
    dom.text.focus();
    dom.text.setSelectionRange(dom.text.value.length, dom.text.value.length);
  }

  function showComposerContext(text) {
    dom.contextText.textContent = text;
    dom.context.hidden = false;
  }

  function cancelComposerContext() {
    if (state.editingId !== null) {
      dom.text.value = "";
    }
    state.replyTo = null;
    state.editingId = null;
    dom.context.hidden = true;
    dom.send.textContent = t("send");
    var room = state.roomId !== null ? findRoom(state.roomId) : null;
    dom.stanceField.hidden = !room || discussionPositions(room).length === 0;
  }

  /** People who can be mentioned: those online and those listed under "Recently here". */
  function knownPeople() {
    var people = new Map();
    document.querySelectorAll(".member[data-user-id]").forEach(function (member) {
      var name = member.querySelector(".member-name");
      people.set(Number(member.getAttribute("data-user-id")), name ? name.textContent.trim() : "");
    });
    state.online.forEach(function (entry) {
      people.set(entry.user_id, entry.name);
    });
    return people;
  }

  /** User ids of the people whose name follows an "@" in `text`, ignoring case. */
  function findMentions(text) {
    var lower = text.toLowerCase();
    var ids = [];
    knownPeople().forEach(function (name, userId) {
      if (!name || userId === state.userId) {
        return;
      }
      var needle = "@" + name.toLowerCase();
      var from = 0;
      var index;
      while ((index = lower.indexOf(needle, from)) !== -1) {
        // "@Ann" must not match inside "@Anna".
        var next = lower.charAt(index + needle.length);
        if (!/[\p{L}\p{N}_]/u.test(next)) {
          ids.push(userId);
          return;
        }
        from = index + 1;
      }
    });
    return ids;
  }

  function submitComposer() {
    var body = dom.text.value;
    if (state.pending !== null || body.trim() === "" || state.roomId === null) {
      return;
    }
    clearError();
    if (state.editingId !== null) {
      if (send({ type: "edit", message_id: state.editingId, body: body })) {
        state.pending = { kind: "edit", id: state.editingId, body: body };
      }
      return;
    }
    state.sentCount += 1;
    var ref = "c" + state.sentCount;
    var request = {
      type: "send",
      room_id: state.roomId,
      body: body,
      mentions: findMentions(body),
      client_ref: ref,
    };
    if (state.replyTo) {
      request.parent_id = state.replyTo.id;
    }
    if (!dom.stanceField.hidden && dom.stance.value !== "") {
      request.stance = dom.stance.value;
    }
    if (send(request)) {
      state.pending = { kind: "send", ref: ref, body: body };
    }
  }

  function handleAck(ack) {
    clearError();
    var pending = state.pending;
    if (!pending) {
      return;
    }
    var matches =
      (pending.kind === "send" && ack.client_ref === pending.ref) ||
      (pending.kind === "edit" && ack.message_id === pending.id);
    if (!matches) {
      return;
    }
    state.pending = null;
    if (dom.text.value === pending.body) {
      dom.text.value = "";
    }
    cancelComposerContext();
    if (pending.kind === "send") {
      scrollToBottom();
    }
  }

  dom.composer.addEventListener("submit", function (event) {
    event.preventDefault();
    submitComposer();
  });

  dom.text.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitComposer();
    } else if (event.key === "Escape" && !dom.context.hidden) {
      event.preventDefault();
      cancelComposerContext();
    }
  });

  dom.cancel.addEventListener("click", function () {
    cancelComposerContext();
    dom.text.focus();
  });

  // Presence.

  /** Applies a batch of presence changes, the latest per person, then redraws once. */
  function handlePresence(event) {
    (event.changes || []).forEach(function (change) {
      if (change.online) {
        state.online.set(change.user_id, {
          user_id: change.user_id,
          name: change.name,
          role: change.role,
          room_id: change.room_id,
          status: change.status,
        });
      } else {
        state.online.delete(change.user_id);
      }
    });
    renderOnline();
  }

  function renderOnline() {
    var people = [];
    state.online.forEach(function (entry) {
      people.push(entry);
    });
    view.renderOnline(dom.online, people, state.userId, function (roomId) {
      var room = findRoom(roomId);
      return room ? room.name : null;
    });
    var me = state.userId !== null ? state.online.get(state.userId) : null;
    if (me && document.activeElement !== dom.status) {
      dom.status.value = me.status;
    }
  }

  statuses.forEach(function (status) {
    dom.status.appendChild(view.el("option", { value: status, text: t("status_" + status) }));
  });
  dom.status.addEventListener("change", function () {
    state.chosenStatus = dom.status.value;
    send({ type: "status", status: dom.status.value });
  });

  showConnection("connecting");
  dom.send.textContent = t("send");
  updateLoadOlder();
  connection.start();
})();

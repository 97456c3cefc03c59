// Builds the chat's DOM: messages, the room list and the people online. Every visible
// string comes from the page's #cowork-strings JSON, so the page can be translated.
// Message text is inserted as text, except `body_html`, which the server sanitized.
(function () {
  "use strict";

  var CoworkChat = (window.CoworkChat = window.CoworkChat || {});

  var stringsElement = document.getElementById("cowork-strings");
  var strings = stringsElement ? JSON.parse(stringsElement.textContent) : {};

  /** Returns the string `key` with each `{name}` replaced by `values[name]`. */
  function t(key, values) {
    var template = strings[key];
    if (typeof template !== "string") {
      console.warn("cowork: missing string", key);
      template = key;
    }
    return template.replace(/\{(\w+)\}/g, function (placeholder, name) {
      if (values && Object.prototype.hasOwnProperty.call(values, name)) {
        return String(values[name]);
      }
      return placeholder;
    });
  }

  /**
   * Creates an element with `attributes`, a map of names to values. The name `text`
   * sets the text content, and null, undefined or false leave an attribute out.
   * Children are nodes or strings.
   */
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "text") {
        node.textContent = value;
      } else {
        node.setAttribute(name, value === true ? "" : String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) {
        return;
      }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // Dates use the page language and the browser's time zone.
  var locale = document.documentElement.lang || undefined;
  var timeOnly = new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" });
  var dateAndTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  var fullDate = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "long" });

  /** Returns a `<time>` for a Unix time: the time alone today, else date and time. */
  function timeElement(unixSeconds, className) {
    var date = new Date(unixSeconds * 1000);
    var today = date.toDateString() === new Date().toDateString();
    return el("time", {
      class: className,
      datetime: date.toISOString(),
      title: fullDate.format(date),
      text: (today ? timeOnly : dateAndTime).format(date),
    });
  }

  function roleLabel(role) {
    return t("role_" + (role || "guest"));
  }

  /** Returns the first `limit` characters of a message's source, on one line. */
  function excerpt(body, limit) {
    var line = body.replace(/\s+/g, " ").trim();
    return line.length > limit ? line.slice(0, limit - 1) + "…" : line;
  }

  // Messages. Each message is an <li class="message-item"> holding an <article> with
  // four parts (head, quote, body, tools) and, once it has replies, an <ol class="replies">.
  // A part is rebuilt only when what it shows changed, so the log's live region
  // announces edits but not every reaction. The tools part is aria-live="off".

  var PARTS = ["head", "quote", "body", "tools"];

  function createMessageItem(message) {
    var idPrefix = "message-" + message.id;
    var article = el("article", {
      class: "message",
      tabindex: "-1",
      "aria-labelledby": idPrefix + "-head",
    });
    PARTS.forEach(function (part) {
      var attributes = { class: "message-" + part };
      if (part === "head") {
        attributes.id = idPrefix + "-head";
      }
      if (part === "tools") {
        attributes["aria-live"] = "off";
      }
      article.appendChild(el("div", attributes));
    });
    return el(
      "li",
      {
        class: "message-item",
        id: idPrefix,
        "data-id": message.id,
        "data-seq": message.seq,
        "data-parent-id": message.parent_id,
      },
      [article]
    );
  }

  /** Returns the replies list of a message item, creating it when missing. */
  function repliesOf(item) {
    var list = item.querySelector(":scope > ol.replies");
    if (!list) {
      list = el("ol", { class: "replies" });
      item.appendChild(list);
    }
    return list;
  }

  /** Replaces the children of `part` when `key` differs from what it shows now. */
  function fillPart(part, key, build) {
    if (part.coworkKey === key) {
      return;
    }
    part.coworkKey = key;
    part.replaceChildren.apply(part, build());
  }

  function partOf(item, name) {
    return item.querySelector(":scope > article > .message-" + name);
  }

  function renderHead(message, context) {
    var key = JSON.stringify([
      message.author_name,
      message.created_at,
      message.edited_at,
      message.pinned,
      message.hidden,
      message.deleted,
      message.stance,
      context.mentionsMe,
    ]);
    fillPart(partOf(context.item, "head"), key, function () {
      var nodes = [
        el("span", { class: "message-author", text: message.author_name }),
        " ",
        timeElement(message.created_at, "message-time"),
      ];
      if (message.stance && !message.deleted) {
        nodes.push(" ", el("span", { class: "badge badge-stance", text: t("stance_shown", { stance: message.stance }) }));
      }
      if (message.edited_at && !message.deleted) {
        var edited = el("span", { class: "message-edited", text: t("edited") });
        edited.title = t("edited_at", { time: fullDate.format(new Date(message.edited_at * 1000)) });
        nodes.push(" ", edited);
      }
      if (message.pinned && !message.deleted) {
        nodes.push(" ", el("span", { class: "badge badge-pinned", text: t("pinned") }));
      }
      if (message.hidden && !message.deleted && context.moderator) {
        nodes.push(" ", el("span", { class: "badge badge-hidden", text: t("hidden_from_students") }));
      }
      if (context.mentionsMe && !message.deleted) {
        nodes.push(" ", el("span", { class: "badge badge-mention", text: t("mentions_you") }));
      }
      return nodes;
    });
  }

  /** Returns a short description of a message for a reply's quote. */
  function quoteText(parent) {
    if (parent.deleted) {
      return t("message_deleted");
    }
    if (parent.hidden && !parent.body) {
      return t("hidden_by_teacher");
    }
    return excerpt(parent.body, 80);
  }

  function renderQuote(message, context) {
    var parent = context.parent;
    var key = message.parent_id ? JSON.stringify([message.parent_id, parent && parent.rev]) : "";
    fillPart(partOf(context.item, "quote"), key, function () {
      if (!message.parent_id) {
        return [];
      }
      if (!parent) {
        return [el("span", { class: "quote-missing", text: t("reply_to_earlier") })];
      }
      // The link points to the parent in the page. The click handler scrolls to it,
      // so the address keeps naming the room.
      return [
        el("a", { class: "quote-link", href: "#message-" + parent.id, "data-action": "show-parent" }, [
          el("span", { class: "quote-author", text: t("in_reply_to", { name: parent.author_name }) }),
          " ",
          el("q", { class: "quote-text", text: quoteText(parent) }),
        ]),
      ];
    });
  }

  function renderBody(message, context) {
    var body = partOf(context.item, "body");
    var key = JSON.stringify([message.deleted, message.hidden, message.body_html]);
    if (body.coworkKey === key) {
      return;
    }
    body.coworkKey = key;
    body.classList.toggle("is-hidden", message.hidden && !message.deleted);
    if (message.deleted) {
      body.replaceChildren(el("p", { class: "message-placeholder", text: t("message_deleted") }));
    } else if (message.hidden && !message.body_html) {
      body.replaceChildren(el("p", { class: "message-placeholder", text: t("hidden_by_teacher") }));
    } else {
      // The server sanitized body_html: formatting tags and http, https and mailto
      // links only.
      body.innerHTML = message.body_html;
    }
  }

  function actionButton(action, label, describedBy, extra) {
    var attributes = {
      type: "button",
      class: "action action-" + action,
      "data-action": action,
      "aria-describedby": describedBy,
      text: label,
    };
    Object.keys(extra || {}).forEach(function (name) {
      attributes[name] = extra[name];
    });
    return el("button", attributes);
  }

  function reactionList(message, context) {
    var reactions = message.reactions.filter(function (reaction) {
      return reaction.user_ids.length > 0;
    });
    if (reactions.length === 0) {
      return null;
    }
    var buttons = reactions.map(function (reaction) {
      var pressed = context.userId !== null && reaction.user_ids.indexOf(context.userId) !== -1;
      return el("li", {}, [
        el("button", {
          type: "button",
          class: "reaction",
          "data-action": "react",
          "data-emoji": reaction.emoji,
          "aria-pressed": pressed ? "true" : "false",
          "aria-label": t("reaction_count", { emoji: reaction.emoji, count: reaction.user_ids.length }),
          disabled: !context.canWrite,
          text: reaction.emoji + " " + reaction.user_ids.length,
        }),
      ]);
    });
    return el("ul", { class: "reactions", "aria-label": t("reactions") }, buttons);
  }

  /** Returns the reaction picker: a disclosure with one button per reaction. */
  function reactionPicker(context, head) {
    var choices = context.reactionSet.map(function (emoji) {
      return el("button", {
        type: "button",
        class: "reaction-choice",
        "data-action": "react",
        "data-emoji": emoji,
        "aria-label": t("react_with", { emoji: emoji }),
        text: emoji,
      });
    });
    return el("details", { class: "reaction-picker" }, [
      el("summary", { class: "action", "aria-describedby": head, text: t("add_reaction") }),
      el("div", { class: "reaction-choices" }, choices),
    ]);
  }

  function actionList(message, context, mine) {
    var head = "message-" + message.id + "-head";
    var actions = [actionButton("reply", t("reply"), head), reactionPicker(context, head)];
    if (mine) {
      actions.push(actionButton("edit", t("edit"), head));
    }
    if (mine || context.moderator) {
      actions.push(actionButton("delete", t("delete"), head));
    }
    if (context.moderator) {
      if (message.pinned) {
        actions.push(actionButton("unpin", t("unpin"), head));
      } else {
        actions.push(actionButton("pin", t("pin"), head));
      }
      if (message.hidden) {
        actions.push(actionButton("unhide", t("unhide"), head));
      } else {
        actions.push(actionButton("hide", t("hide"), head));
      }
    }
    return el("div", { class: "message-actions" }, actions);
  }

  function renderTools(message, context) {
    var mine = context.userId !== null && message.author_id === context.userId;
    var key = JSON.stringify([
      message.deleted,
      message.hidden,
      message.pinned,
      message.reactions,
      mine,
      context.moderator,
      context.canWrite,
    ]);
    fillPart(partOf(context.item, "tools"), key, function () {
      if (message.deleted) {
        return [];
      }
      var nodes = [reactionList(message, context)];
      if (context.canWrite) {
        nodes.push(actionList(message, context, mine));
      }
      return nodes.filter(Boolean);
    });
  }

  /**
   * Brings a message item up to date. `context` contains `item`, `parent` (the parent
   * message or null), `userId`, `moderator`, `canWrite`, `mentionsMe` and `reactionSet`.
   * Keeps keyboard focus on the same control when the tools part is rebuilt.
   */
  function updateMessageItem(message, context) {
    var item = context.item;
    var focused = document.activeElement;
    var focusKey = null;
    if (focused && partOf(item, "tools").contains(focused)) {
      focusKey = [focused.getAttribute("data-action"), focused.getAttribute("data-emoji")];
    }
    item.classList.toggle("is-mine", context.userId !== null && message.author_id === context.userId);
    item.classList.toggle("is-pinned", message.pinned && !message.deleted);
    item.classList.toggle("is-deleted", message.deleted);
    item.classList.toggle("mentions-me", context.mentionsMe && !message.deleted);
    renderHead(message, context);
    renderQuote(message, context);
    renderBody(message, context);
    renderTools(message, context);
    if (focusKey && !item.contains(document.activeElement)) {
      var selector = "[data-action='" + focusKey[0] + "']";
      if (focusKey[1]) {
        selector += "[data-emoji='" + focusKey[1] + "']";
      }
      var again = partOf(item, "tools").querySelector(selector);
      (again || item.querySelector(":scope > article")).focus();
    }
  }

  /** Inserts `item` into `list` so that the items stay in `data-seq` order. */
  function insertBySeq(list, item) {
    var seq = Number(item.getAttribute("data-seq"));
    var before = null;
    for (var child = list.lastElementChild; child; child = child.previousElementSibling) {
      if (Number(child.getAttribute("data-seq")) < seq) {
        break;
      }
      before = child;
    }
    list.insertBefore(item, before);
  }

  // Rooms and people.

  function roomKindLabel(room) {
    return t("room_kind_" + room.kind);
  }

  /** Fills the Rooms navigation with links to `#room-N`, marking `currentId`. */
  function renderRooms(list, rooms, currentId) {
    list.replaceChildren.apply(
      list,
      rooms.map(function (room) {
        var current = room.id === currentId;
        var children = [el("span", { class: "room-name", text: room.name })];
        // A default room's name already names its kind.
        if (!room.default_key) {
          children.push(el("span", { class: "room-kind", text: roomKindLabel(room) }));
        }
        return el("li", {}, [
          el(
            "a",
            {
              class: "room-link" + (current ? " is-current" : ""),
              href: "#room-" + room.id,
              "data-room-id": room.id,
              "aria-current": current ? "page" : null,
            },
            children
          ),
        ]);
      })
    );
  }

  /** Fills the online list from presence entries, naming rooms with `roomName(id)`. */
  function renderOnline(list, people, userId, roomName) {
    var sorted = people.slice().sort(function (a, b) {
      return a.name.localeCompare(b.name);
    });
    if (sorted.length === 0) {
      list.replaceChildren(el("li", { class: "empty", text: t("nobody_online") }));
      return;
    }
    list.replaceChildren.apply(
      list,
      sorted.map(function (person) {
        var name = el("span", { class: "person-name", text: person.name });
        if (person.user_id === userId) {
          name.appendChild(document.createTextNode(" " + t("you")));
        }
        var room = person.room_id ? roomName(person.room_id) : null;
        return el("li", { class: "online-person", "data-user-id": person.user_id }, [
          name,
          " ",
          el("span", { class: "role role-" + person.role, text: roleLabel(person.role) }),
          el("span", { class: "person-details" }, [
            el("span", { class: "person-status status-" + person.status, text: t("status_" + person.status) }),
            room ? el("span", { class: "person-room", text: t("in_room", { room: room }) }) : null,
          ]),
        ]);
      })
    );
  }

  CoworkChat.view = {
    t: t,
    el: el,
    createMessageItem: createMessageItem,
    updateMessageItem: updateMessageItem,
    repliesOf: repliesOf,
    insertBySeq: insertBySeq,
    renderRooms: renderRooms,
    renderOnline: renderOnline,
    roomKindLabel: roomKindLabel,
  };
})();

// Room management page: join and leave team tables, create rooms, and the teacher's
// controls for names, order, archive, settings and mutes. Every request carries the
// session token in the X-Cowork-Token header.
(function () {
  "use strict";
  var page = document.querySelector(".subpage");
  if (!page) {
    return;
  }
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var spaceId = page.getAttribute("data-space-id");
  var token = page.getAttribute("data-token");
  var status = document.getElementById("manage-status");

  function say(text) {
    status.textContent = text;
  }

  function post(path, body) {
    return fetch("/spaces/" + spaceId + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Cowork-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || strings["js-manage-failed"]);
        }
        return data;
      });
    });
  }

  function reloadAfter(promise) {
    promise.then(function () {
      window.location.reload();
    }).catch(function (error) {
      say(error.message);
    });
  }

  document.querySelectorAll("time.local-time").forEach(function (element) {
    var when = new Date(Number(element.getAttribute("data-ts")) * 1000);
    element.textContent = new Intl.DateTimeFormat(document.documentElement.lang, {
      dateStyle: "medium",
      timeStyle: "short"
    }).format(when);
  });

  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-room-id]"));
  rows.forEach(function (row, index) {
    var roomId = row.getAttribute("data-room-id");
    row.querySelectorAll("button[data-action]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = button.getAttribute("data-action");
        if (action === "join" || action === "leave") {
          reloadAfter(post("/rooms/" + roomId + "/membership", { member: action === "join" }));
        } else if (action === "rename") {
          reloadAfter(post("/rooms/" + roomId, { name: row.querySelector(".room-name").value }));
        } else if (action === "archive" || action === "restore") {
          reloadAfter(post("/rooms/" + roomId, { archived: action === "archive" }));
        } else if (action === "up" || action === "down") {
          // Positions are rewritten for the whole list so the order is exact.
          var order = rows.map(function (r) { return r.getAttribute("data-room-id"); });
          var target = action === "up" ? index - 1 : index + 1;
          if (target < 0 || target >= order.length) {
            return;
          }
          var moved = order[index];
          order[index] = order[target];
          order[target] = moved;
          reloadAfter(Promise.all(order.map(function (id, position) {
            return post("/rooms/" + id, { position: position });
          })));
        }
      });
    });
  });

  var create = document.getElementById("create-room");
  if (create) {
    create.addEventListener("submit", function (event) {
      event.preventDefault();
      var kind = create.elements.kind.value;
      var body = { kind: kind, name: create.elements.name.value };
      if (create.elements.topic.value.trim()) {
        body.topic = create.elements.topic.value;
      }
      if (kind === "discussion") {
        body.positions = create.elements.positions.value.split("\n").map(function (line) {
          return line.trim();
        }).filter(function (line) {
          return line.length > 0;
        });
      }
      reloadAfter(post("/rooms", body));
    });
  }

  var settings = document.getElementById("settings");
  if (settings) {
    settings.addEventListener("submit", function (event) {
      event.preventDefault();
      reloadAfter(post("/settings", {
        students_create_rooms: settings.elements.students_create_rooms.checked,
        edit_window_secs: Number(settings.elements.edit_window_minutes.value) * 60,
        retention_days: Number(settings.elements.retention_days.value)
      }));
    });
  }

  var mute = document.getElementById("mute");
  if (mute) {
    mute.addEventListener("submit", function (event) {
      event.preventDefault();
      post("/mutes", {
        user_id: Number(mute.elements.user_id.value),
        minutes: Number(mute.elements.minutes.value)
      }).then(function () {
        say(strings["js-manage-saved"]);
      }).catch(function (error) {
        say(error.message);
      });
    });
  }
})();

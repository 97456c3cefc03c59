// Focus page: start, abandon and check in on a focus session, and refresh the list of
// people focusing every 30 seconds. Times are shown in the browser's time zone.
(function () {
  "use strict";
  var root = document.querySelector(".focus");
  if (!root) {
    return;
  }
  var POLL_MS = 30000;
  var spaceId = root.getAttribute("data-space-id");
  var token = root.getAttribute("data-token");
  var sessionId = root.getAttribute("data-session-id");
  var sessionEnded = root.getAttribute("data-session-ended") === "true";
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var base = "/spaces/" + spaceId + "/focus/sessions";
  var timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit"
  });

  function t(id) {
    return strings[id] || id;
  }

  function localTime(element) {
    var date = new Date(element.getAttribute("datetime"));
    if (!isNaN(date.getTime())) {
      element.textContent = timeFormat.format(date);
    }
  }

  function showError(message) {
    var element = document.getElementById("focus-error");
    element.textContent = message;
    element.hidden = false;
  }

  function send(method, path, body) {
    var options = {
      method: method,
      headers: { "X-Cowork-Token": token, "Accept": "application/json" },
      credentials: "same-origin"
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || t("js-focus-failed"));
        }
        return data;
      });
    }, function () {
      throw new Error(t("js-focus-offline"));
    });
  }

  function reload() {
    window.location.reload();
  }

  function paragraph(className, text) {
    var element = document.createElement("p");
    element.className = className;
    element.textContent = text;
    return element;
  }

  function renderRunning(list) {
    var container = document.getElementById("running-list");
    container.textContent = "";
    list.running.forEach(function (session) {
      var item = document.createElement("li");
      var mine = list.mine && list.mine.id === session.id;
      item.appendChild(paragraph("focus-name", session.name + (mine ? " " + t("js-focus-you") : "")));
      item.appendChild(paragraph("focus-goal", session.goal));
      var times = paragraph("focus-times", "");
      var left = document.createElement("span");
      left.className = "focus-left";
      left.textContent = session.time_left;
      times.appendChild(left);
      times.appendChild(document.createTextNode(" · " + t("js-focus-ends") + " "));
      var end = document.createElement("time");
      end.setAttribute("datetime", new Date(session.ends_at * 1000).toISOString());
      localTime(end);
      times.appendChild(end);
      item.appendChild(times);
      container.appendChild(item);
    });
    document.getElementById("running-empty").hidden = list.running.length > 0;
  }

  function poll() {
    send("GET", base).then(function (list) {
      var mineNow = list.mine ? String(list.mine.id) : null;
      var endedNow = list.mine ? list.mine.seconds_left === 0 : false;
      // The own session started, finished or reached its end elsewhere: the page shows
      // another form now.
      if (mineNow !== sessionId || (mineNow && endedNow !== sessionEnded)) {
        reload();
        return;
      }
      var myLeft = document.getElementById("my-time-left");
      if (myLeft && list.mine) {
        myLeft.textContent = list.mine.time_left;
      }
      renderRunning(list);
    }).catch(function () {
      // A missed poll is retried at the next interval.
    });
  }

  var startForm = document.getElementById("start-form");
  if (startForm) {
    startForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(startForm);
      send("POST", base, { goal: data.get("goal") || "", minutes: Number(data.get("minutes")) })
        .then(reload)
        .catch(function (error) { showError(error.message); });
    });
  }

  var abandonButton = document.getElementById("abandon-focus");
  if (abandonButton) {
    abandonButton.addEventListener("click", function () {
      if (!window.confirm(t("js-focus-confirm-abandon"))) {
        return;
      }
      send("POST", base + "/" + sessionId + "/abandon")
        .then(reload)
        .catch(function (error) { showError(error.message); });
    });
  }

  var checkInForm = document.getElementById("check-in-form");
  if (checkInForm) {
    checkInForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(checkInForm);
      send("POST", base + "/" + sessionId + "/check-in", {
        outcome: data.get("outcome") || "",
        note: data.get("note") || ""
      })
        .then(reload)
        .catch(function (error) { showError(error.message); });
    });
  }

  document.querySelectorAll("time[data-local-time]").forEach(localTime);
  window.setInterval(poll, POLL_MS);
})();

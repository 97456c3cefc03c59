// Events page: local times, RSVP, and the teacher's form to plan and cancel events.
(function () {
  "use strict";
  var page = document.querySelector(".subpage");
  if (!page) {
    return;
  }
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var spaceId = page.getAttribute("data-space-id");
  var token = page.getAttribute("data-token");
  var status = document.getElementById("events-status");

  function say(text) {
    status.textContent = text;
  }

  function post(path, body) {
    return fetch("/spaces/" + spaceId + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Cowork-Token": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || strings["js-events-failed"]);
        }
        return data;
      });
    });
  }

  var format = new Intl.DateTimeFormat(document.documentElement.lang, {
    dateStyle: "full",
    timeStyle: "short"
  });
  var timeOnly = new Intl.DateTimeFormat(document.documentElement.lang, { timeStyle: "short" });
  document.querySelectorAll("time.local-time").forEach(function (element) {
    var start = new Date(Number(element.getAttribute("data-start")) * 1000);
    var end = new Date(Number(element.getAttribute("data-end")) * 1000);
    element.textContent = format.format(start) + " – " + timeOnly.format(end);
  });

  var zoneField = document.querySelector("#event-form [name=time_zone]");
  if (zoneField) {
    zoneField.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  }

  document.querySelectorAll(".rsvp input[type=radio]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      var item = radio.closest(".event");
      var eventId = item.getAttribute("data-event-id");
      post("/events/" + eventId + "/rsvp", { response: radio.value })
        .then(function () {
          say(strings["js-events-saved"]);
        })
        .catch(function (error) {
          say(error.message);
        });
    });
  });

  document.querySelectorAll(".cancel-event").forEach(function (button) {
    button.addEventListener("click", function () {
      if (!window.confirm(strings["js-events-confirm-cancel"])) {
        return;
      }
      post("/events/" + button.getAttribute("data-event-id") + "/cancel")
        .then(function () {
          window.location.reload();
        })
        .catch(function (error) {
          say(error.message);
        });
    });
  });

  var form = document.getElementById("event-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var body = {};
      data.forEach(function (value, key) {
        body[key] = key === "duration_minutes" ? Number(value) : value;
      });
      post("/events", body)
        .then(function () {
          window.location.reload();
        })
        .catch(function (error) {
          say(error.message);
        });
    });
  }
})();

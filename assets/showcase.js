// Showcase pages: publish without leaving the page, react, comment, give feedback, and
// the teacher's feature and remove buttons. Every request carries the session token in
// the X-Cowork-Token header; times are shown in the browser's time zone.
(function () {
  "use strict";
  var root = document.querySelector(".showcase");
  if (!root) {
    return;
  }
  var spaceId = root.getAttribute("data-space-id");
  var token = root.getAttribute("data-token");
  var itemId = root.getAttribute("data-item-id");
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);

  function t(id) {
    return strings[id] || id;
  }

  function showLocalTimes() {
    var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      dateStyle: "medium",
      timeStyle: "short"
    });
    document.querySelectorAll("time[data-local-time]").forEach(function (element) {
      var date = new Date(element.getAttribute("datetime"));
      if (!isNaN(date.getTime())) {
        element.textContent = format.format(date);
      }
    });
  }

  function showError(element, message) {
    element.textContent = message;
    element.hidden = false;
  }

  // Sends a request and resolves with the parsed JSON, or rejects with the server's
  // message for the person.
  function send(method, path, body) {
    var options = {
      method: method,
      headers: { "X-Cowork-Token": token, "Accept": "application/json" },
      credentials: "same-origin"
    };
    if (body instanceof FormData) {
      options.body = body;
    } else if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || t("js-showcase-failed-status"));
        }
        return data;
      });
    }, function () {
      throw new Error(t("js-showcase-offline"));
    });
  }

  var base = "/spaces/" + spaceId + "/showcase";
  var itemBase = base + "/items/" + itemId;

  function reload() {
    window.location.reload();
  }

  var publishForm = document.getElementById("publish-form");
  if (publishForm) {
    var publishError = document.getElementById("publish-error");
    publishForm.addEventListener("submit", function (event) {
      event.preventDefault();
      publishError.hidden = true;
      var fileInput = document.getElementById("publish-file");
      var file = fileInput.files && fileInput.files[0];
      var maxBytes = Number(root.getAttribute("data-max-bytes"));
      if (file && file.size > maxBytes) {
        showError(publishError, t("js-showcase-file-too-large"));
        fileInput.focus();
        return;
      }
      var button = publishForm.querySelector("button[type=submit]");
      button.disabled = true;
      send("POST", base + "/items", new FormData(publishForm))
        .then(function (item) {
          window.location.assign(base + "/" + item.id + "?lt=" + encodeURIComponent(token));
        })
        .catch(function (error) {
          button.disabled = false;
          showError(publishError, error.message);
        });
    });
  }

  var itemError = document.getElementById("item-error");

  document.querySelectorAll(".reaction-button").forEach(function (button) {
    button.addEventListener("click", function () {
      var on = button.getAttribute("aria-pressed") !== "true";
      send("POST", itemBase + "/reactions", { emoji: button.getAttribute("data-emoji"), on: on })
        .then(reload)
        .catch(function (error) { showError(itemError, error.message); });
    });
  });

  document.querySelectorAll("[data-feature]").forEach(function (button) {
    button.addEventListener("click", function () {
      var featured = button.getAttribute("data-feature") === "true";
      send("POST", itemBase + "/featured", { featured: featured })
        .then(reload)
        .catch(function (error) { showError(itemError, error.message); });
    });
  });

  var removeButton = document.getElementById("remove-item");
  if (removeButton) {
    removeButton.addEventListener("click", function () {
      if (!window.confirm(t("js-showcase-confirm-remove"))) {
        return;
      }
      send("DELETE", itemBase)
        .then(function () {
          window.location.assign(base + "?lt=" + encodeURIComponent(token));
        })
        .catch(function (error) { showError(itemError, error.message); });
    });
  }

  var commentForm = document.getElementById("comment-form");
  if (commentForm) {
    commentForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = document.getElementById("comment-body").value;
      send("POST", itemBase + "/comments", { body: text })
        .then(reload)
        .catch(function (error) { showError(document.getElementById("comment-error"), error.message); });
    });
  }

  var feedbackForm = document.getElementById("feedback-form");
  if (feedbackForm) {
    feedbackForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(feedbackForm);
      var feedback = {
        clarity: Number(data.get("clarity")),
        originality: Number(data.get("originality")),
        usefulness: Number(data.get("usefulness")),
        works: data.get("works") || "",
        improve: data.get("improve") || ""
      };
      send("POST", itemBase + "/feedback", feedback)
        .then(reload)
        .catch(function (error) { showError(document.getElementById("feedback-error"), error.message); });
    });
  }

  showLocalTimes();
})();

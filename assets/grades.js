// Grades page: sync now, retry dead letters, teacher awards and the grading rule. Every
// request carries the session token in the X-Cowork-Token header.
(function () {
  "use strict";
  var page = document.querySelector(".subpage");
  if (!page) {
    return;
  }
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var spaceId = page.getAttribute("data-space-id");
  var token = page.getAttribute("data-token");
  var status = document.getElementById("grades-status");

  function post(path, body) {
    return fetch("/spaces/" + spaceId + "/grades" + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Cowork-Token": token },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || strings["js-grades-failed"]);
        }
        return data;
      });
    });
  }

  function reloadAfter(promise) {
    promise.then(function () {
      window.location.reload();
    }).catch(function (error) {
      status.textContent = error.message;
    });
  }

  document.getElementById("sync-grades").addEventListener("click", function () {
    reloadAfter(post("/sync"));
  });

  document.querySelectorAll("[data-retry]").forEach(function (button) {
    button.addEventListener("click", function () {
      reloadAfter(post("/outbox/" + button.getAttribute("data-retry") + "/retry"));
    });
  });

  document.getElementById("award").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    reloadAfter(post("/awards", {
      user_id: Number(form.user_id.value),
      points: Number(form.points.value),
      reason: form.reason.value
    }));
  });

  document.getElementById("rule").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var rule = {};
    form.querySelectorAll("input[type=number]").forEach(function (input) {
      rule[input.name] = Number(input.value);
    });
    reloadAfter(post("/rule", { rule: rule, sync_mode: form.sync_mode.value }));
  });
}());

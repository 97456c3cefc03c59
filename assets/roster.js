// Roster page: the teacher's refresh button reads the course members again from the
// platform. The request carries the session token in the X-Cowork-Token header.
(function () {
  "use strict";
  var page = document.querySelector(".subpage");
  var button = document.getElementById("roster-refresh");
  if (!page || !button) {
    return;
  }
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var status = document.getElementById("roster-status");

  button.addEventListener("click", function () {
    button.disabled = true;
    status.textContent = strings["js-roster-refreshing"];
    fetch("/spaces/" + page.getAttribute("data-space-id") + "/roster/refresh", {
      method: "POST",
      headers: { "Accept": "application/json", "X-Cowork-Token": page.getAttribute("data-token") }
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.message || strings["js-roster-failed"]);
        }
        window.location.reload();
      });
    }).catch(function (error) {
      status.textContent = error.message;
      button.disabled = false;
    });
  });
})();

// Privacy page: erases one person's data in this space after the teacher confirms.
// The request carries the session token in the X-Cowork-Token header.
(function () {
  "use strict";
  var page = document.querySelector(".subpage");
  if (!page) {
    return;
  }
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var spaceId = page.getAttribute("data-space-id");
  var token = page.getAttribute("data-token");
  var status = document.getElementById("privacy-status");

  document.querySelectorAll("button[data-action='erase']").forEach(function (button) {
    button.addEventListener("click", function () {
      var row = button.closest("tr");
      var userId = row.getAttribute("data-user-id");
      var question = strings["js-privacy-confirm"].replace("{name}", button.getAttribute("data-name"));
      if (!window.confirm(question)) {
        return;
      }
      fetch("/spaces/" + spaceId + "/privacy/people/" + userId + "/erase", {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-Cowork-Token": token },
        body: JSON.stringify({ confirm: true })
      }).then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            throw new Error(data.message || strings["js-privacy-failed"]);
          }
          row.remove();
          status.textContent = strings["js-privacy-erased"];
        });
      }).catch(function (error) {
        status.textContent = error.message;
      });
    });
  });
})();

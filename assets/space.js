// Space page behaviour: detect whether the session cookie survives in this frame and,
// when it does not, offer to open the space in a new window.
(function () {
  "use strict";
  var space = document.querySelector(".space");
  if (!space) {
    return;
  }
  var inFrame = window.self !== window.top;
  if (!inFrame) {
    return;
  }
  var spaceId = space.getAttribute("data-space-id");
  fetch("/session/probe?space=" + encodeURIComponent(spaceId), { credentials: "include" })
    .then(function (response) { return response.json(); })
    .then(function (result) {
      if (!result.cookie) {
        document.getElementById("frame-notice").hidden = false;
      }
    })
    .catch(function () {
      document.getElementById("frame-notice").hidden = false;
    });
})();

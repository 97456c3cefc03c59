// Demo platform: send the launch form to the iframe or to a new window, as chosen.
document.getElementById("target").addEventListener("change", function (event) {
  document.getElementById("launch-form").target =
    event.target.value === "window" ? "_blank" : "tool-frame";
});

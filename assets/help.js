// Help desk page: sends the forms and buttons to the JSON endpoints with the session
// token in the X-Cowork-Token header, then reloads the page to show the result.
(function () {
  "use strict";
  var page = document.querySelector(".help-page");
  if (!page) {
    return;
  }
  var base = "/spaces/" + page.getAttribute("data-space-id") + "/help/requests";
  var token = page.getAttribute("data-token");
  var strings = JSON.parse(document.getElementById("page-strings").textContent || "{}");
  var status = document.getElementById("feature-status");

  function t(id) {
    return strings[id] || id;
  }

  // Sends a request and resolves with the parsed JSON response, or rejects with the
  // server's message and hint.
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
    return fetch(base + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (result) {
        if (!response.ok) {
          var text = [result.message, result.hint].filter(Boolean).join(" ");
          throw new Error(text || response.status + " " + response.statusText);
        }
        return result;
      });
    });
  }

  function showError(element, error) {
    if (!element) {
      return;
    }
    element.textContent = t("js-help-failed") + " " + error.message;
    element.hidden = false;
  }

  // Reloads the page at the card of `requestId`, so its conversation stays in view.
  function reloadAt(requestId) {
    status.textContent = t("js-help-saved");
    if (requestId) {
      window.location.hash = "help-request-" + requestId;
    }
    window.location.reload();
  }

  function run(controls, errorElement, action) {
    controls.forEach(function (control) { control.disabled = true; });
    if (errorElement) {
      errorElement.hidden = true;
    }
    status.textContent = t("js-help-sending");
    action().catch(function (error) {
      status.textContent = "";
      showError(errorElement, error);
      controls.forEach(function (control) { control.disabled = false; });
    });
  }

  function requestIdOf(element) {
    var card = element.closest("[data-request-id]");
    return card ? card.getAttribute("data-request-id") : null;
  }

  function tagList(text) {
    return text.split(",").map(function (tag) { return tag.trim(); })
      .filter(function (tag) { return tag.length > 0; });
  }

  var formBodies = {
    ask: function (form) {
      return ["POST", "", {
        title: form.elements.title.value,
        description: form.elements.description.value,
        tags: tagList(form.elements.tags.value)
      }];
    },
    post: function (form, id) {
      return ["POST", "/" + id + "/posts", { body: form.elements.body.value }];
    },
    resolve: function (form, id) {
      var helper = form.elements.helper_id.value;
      var body = { helper_id: helper ? Number(helper) : null };
      if (form.elements.thanks.value.trim()) {
        body.thanks = form.elements.thanks.value;
      }
      return ["POST", "/" + id + "/resolve", body];
    },
    thanks: function (form, id) {
      return ["POST", "/" + id + "/thanks", { note: form.elements.note.value }];
    }
  };

  document.querySelectorAll("form[data-help-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var id = requestIdOf(form);
      var call = formBodies[form.getAttribute("data-help-form")](form, id);
      var controls = Array.prototype.slice.call(form.querySelectorAll("button, input, textarea, select"));
      run(controls, form.querySelector(".form-error"), function () {
        return send(call[0], call[1], call[2]).then(function (created) {
          reloadAt(id || created.id);
        });
      });
    });
  });

  var actions = {
    offer: function (id) { return send("POST", "/" + id + "/offers"); },
    close: function (id) { return send("POST", "/" + id + "/close"); },
    delete: function (id) { return send("DELETE", "/" + id); }
  };
  var confirmations = { close: "js-help-confirm-close", delete: "js-help-confirm-delete" };

  document.querySelectorAll("button[data-help-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-help-action");
      if (confirmations[name] && !window.confirm(t(confirmations[name]))) {
        return;
      }
      var id = requestIdOf(button);
      var card = button.closest("[data-request-id]");
      run([button], card.querySelector(".action-error"), function () {
        return actions[name](id).then(function () {
          reloadAt(name === "delete" ? null : id);
        });
      });
    });
  });

  // Opens the conversation of the card named in the address, after a reply or a reload.
  var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target) {
    var conversation = target.querySelector("details");
    if (conversation) {
      conversation.open = true;
    }
  }
})();

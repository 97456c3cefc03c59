// Partners board page: sends the forms and buttons to the JSON endpoints with the session
// token in the X-Cowork-Token header, then reloads the page to show the result.
(function () {
  "use strict";
  var page = document.querySelector(".partners-page");
  if (!page) {
    return;
  }
  var base = "/spaces/" + page.getAttribute("data-space-id") + "/partners/entries";
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

  // Reloads the page at the card of `entryId`.
  function reloadAt(entryId) {
    status.textContent = t("js-partners-saved");
    if (entryId) {
      window.location.hash = "partners-entry-" + entryId;
    }
    window.location.reload();
  }

  function run(controls, errorElement, action) {
    controls.forEach(function (control) { control.disabled = true; });
    errorElement.hidden = true;
    status.textContent = t("js-partners-sending");
    action().catch(function (error) {
      status.textContent = "";
      errorElement.textContent = t("js-partners-failed") + " " + error.message;
      errorElement.hidden = false;
      controls.forEach(function (control) { control.disabled = false; });
    });
  }

  function entryIdOf(element) {
    var card = element.closest("[data-entry-id]");
    return card ? card.getAttribute("data-entry-id") : null;
  }

  function entryFields(form) {
    var fields = {};
    ["kind", "name", "description", "contact_name", "contact_email", "contact_url", "deadline"]
      .forEach(function (name) { fields[name] = form.elements[name].value; });
    return fields;
  }

  var formCalls = {
    create: function (form) { return ["POST", "", entryFields(form)]; },
    change: function (form, id) { return ["POST", "/" + id, entryFields(form)]; },
    interest: function (form, id) {
      return ["POST", "/" + id + "/interest", { note: form.elements.note.value }];
    }
  };

  document.querySelectorAll("form[data-partners-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var id = entryIdOf(form);
      var call = formCalls[form.getAttribute("data-partners-form")](form, id);
      var controls = Array.prototype.slice.call(form.querySelectorAll("button, input, textarea, select"));
      run(controls, form.querySelector(".form-error"), function () {
        return send(call[0], call[1], call[2]).then(function (created) {
          reloadAt(id || created.id);
        });
      });
    });
  });

  var actions = {
    archive: function (id) { return send("POST", "/" + id + "/archive", { archived: true }); },
    restore: function (id) { return send("POST", "/" + id + "/archive", { archived: false }); },
    withdraw: function (id) { return send("DELETE", "/" + id + "/interest"); }
  };
  var confirmations = {
    archive: "js-partners-confirm-archive",
    withdraw: "js-partners-confirm-withdraw"
  };

  document.querySelectorAll("button[data-partners-action]").forEach(function (button) {
    button.addEventListener("click", function () {
      var name = button.getAttribute("data-partners-action");
      if (confirmations[name] && !window.confirm(t(confirmations[name]))) {
        return;
      }
      var id = entryIdOf(button);
      var card = button.closest("[data-entry-id]");
      run([button], card.querySelector(".action-error"), function () {
        return actions[name](id).then(function () { reloadAt(id); });
      });
    });
  });
})();

// Questionnaires page: send and change answers, and for teachers create questionnaires
// (from a template or item by item), edit their title, description and times, and
// open, close and delete them.
(function () {
  "use strict";
  var root = document.querySelector(".questionnaires");
  if (!root) {
    return;
  }
  var spaceId = root.getAttribute("data-space-id");
  var token = root.getAttribute("data-token");
  var strings = JSON.parse(document.getElementById("cowork-strings").textContent);
  var base = "/spaces/" + spaceId + "/questionnaires";
  var status = document.getElementById("questionnaires-status");

  function t(id) {
    return strings[id] || id;
  }

  function send(path, body) {
    var options = {
      method: "POST",
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
          throw new Error(data.message || t("js-questionnaires-failed"));
        }
        return data;
      });
    }, function () {
      throw new Error(t("js-questionnaires-offline"));
    });
  }

  function showError(error) {
    status.textContent = error.message;
  }

  function reload() {
    window.location.reload();
  }

  // Reads the answers of one questionnaire form into the API's shape.
  function answersOf(form) {
    var answers = [];
    form.querySelectorAll("fieldset[data-item-id]").forEach(function (fieldset) {
      var itemId = Number(fieldset.getAttribute("data-item-id"));
      var kind = fieldset.getAttribute("data-kind");
      if (kind === "text") {
        var text = fieldset.querySelector("textarea").value.trim();
        if (text) {
          answers.push({ item_id: itemId, text: text });
        }
        return;
      }
      var checked = Array.prototype.map.call(
        fieldset.querySelectorAll("input:checked"),
        function (input) { return Number(input.value); }
      );
      if (checked.length === 0) {
        return;
      }
      if (kind === "multiple") {
        answers.push({ item_id: itemId, values: checked });
      } else {
        answers.push({ item_id: itemId, value: checked[0] });
      }
    });
    return answers;
  }

  document.querySelectorAll(".questionnaire-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var id = form.getAttribute("data-questionnaire-id");
      send(base + "/" + id + "/response", { answers: answersOf(form) }).then(function () {
        status.textContent = t("js-questionnaires-saved");
      }, showError);
    });
  });

  var table = document.getElementById("questionnaire-table");
  if (table) {
    table.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) {
        return;
      }
      var id = button.closest("tr").getAttribute("data-questionnaire-id");
      var action = button.getAttribute("data-action");
      if (action === "edit") {
        var editRow = document.getElementById("edit-" + id);
        editRow.hidden = !editRow.hidden;
        button.setAttribute("aria-expanded", String(!editRow.hidden));
        return;
      }
      if (action === "delete") {
        if (window.confirm(t("js-questionnaires-confirm-delete"))) {
          send(base + "/" + id + "/delete").then(reload, showError);
        }
        return;
      }
      var requested = action === "open" ? "open" : "closed";
      send(base + "/" + id + "/status", { status: requested }).then(reload, showError);
    });
  }

  // Converts Unix seconds to the local time a datetime-local input shows, and back.
  function toLocalInput(seconds) {
    var date = new Date(Number(seconds) * 1000);
    var shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60000);
    return shifted.toISOString().slice(0, 16);
  }

  function fromLocalInput(value) {
    return value ? Math.floor(new Date(value).getTime() / 1000) : null;
  }

  // The edit form changes the title, description and times. The update request also
  // carries the unchanged items, anonymity and wave, read from the questionnaire.
  document.querySelectorAll(".edit-form").forEach(function (form) {
    ["opens_at", "closes_at"].forEach(function (name) {
      var input = form.elements[name];
      var unix = input.getAttribute("data-unix");
      if (unix) {
        input.value = toLocalInput(unix);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var path = base + "/" + form.getAttribute("data-questionnaire-id");
      fetch(path, {
        headers: { "X-Cowork-Token": token, "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) {
          throw new Error(t("js-questionnaires-failed"));
        }
        return response.json();
      }, function () {
        throw new Error(t("js-questionnaires-offline"));
      }).then(function (current) {
        return send(path, {
          title: form.elements.title.value,
          description: form.elements.description.value,
          anonymous: current.anonymous,
          wave: current.wave,
          pre_id: current.pre_id,
          opens_at: fromLocalInput(form.elements.opens_at.value),
          closes_at: fromLocalInput(form.elements.closes_at.value),
          items: current.items.map(function (item) {
            return { kind: item.kind, prompt: item.prompt, scale: item.scale, options: item.options };
          })
        });
      }).then(function () {
        status.textContent = t("js-questionnaires-updated");
        reload();
      }, showError);
    });
  });

  function waveFields(form) {
    var wave = form.elements.wave.value;
    var preId = form.elements.pre_id.value;
    return { wave: wave || null, pre_id: preId ? Number(preId) : null };
  }

  var templateForm = document.getElementById("template-form");
  if (templateForm) {
    templateForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = waveFields(templateForm);
      send(base + "/from-template", {
        template: templateForm.elements.template.value,
        anonymous: templateForm.elements.anonymous.checked,
        wave: fields.wave,
        pre_id: fields.pre_id
      }).then(reload, showError);
    });
  }

  var createForm = document.getElementById("create-form");
  if (createForm) {
    var list = document.getElementById("item-list");
    var itemTemplate = document.getElementById("item-template");
    document.getElementById("add-item").addEventListener("click", function () {
      list.appendChild(itemTemplate.content.cloneNode(true));
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action='remove-item']");
      if (button) {
        button.closest("fieldset").remove();
      }
    });
    createForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var items = Array.prototype.map.call(list.querySelectorAll("fieldset"), function (fieldset) {
        var options = fieldset.querySelector("[name=options]").value
          .split("\n")
          .map(function (line) { return line.trim(); })
          .filter(function (line) { return line.length > 0; });
        return {
          kind: fieldset.querySelector("[name=kind]").value,
          prompt: fieldset.querySelector("[name=prompt]").value,
          scale: fieldset.querySelector("[name=scale]").value || null,
          options: options
        };
      });
      var fields = waveFields(createForm);
      send(base + "/list", {
        title: createForm.elements.title.value,
        description: createForm.elements.description.value,
        anonymous: createForm.elements.anonymous.checked,
        wave: fields.wave,
        pre_id: fields.pre_id,
        items: items
      }).then(reload, showError);
    });
  }
})();

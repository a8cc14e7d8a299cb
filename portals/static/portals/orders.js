/* Order screens: machine cascade, photo previews, the form-field editor, the import progress bar,
   "select all". Small, dependency-free, works in WeChat's browser; every page works without it. */
(function () {
  "use strict";

  // Brand → category → model: each select only offers the children of the one above it.
  document.querySelectorAll("[data-cascade]").forEach(function (group) {
    var selects = {};
    group.querySelectorAll("select[data-level]").forEach(function (s) { selects[s.getAttribute("data-level")] = s; });
    var all = {};
    ["category", "model"].forEach(function (level) {
      var select = selects[level];
      if (!select) return;
      all[level] = Array.prototype.slice.call(select.options).filter(function (o) { return o.value; });
    });
    var refill = function (level, parentValue) {
      var select = selects[level];
      if (!select) return;
      var current = select.value;
      while (select.options.length > 1) select.remove(1);
      all[level].forEach(function (option) {
        if (parentValue && option.getAttribute("data-parent") === parentValue) select.add(option);
      });
      select.value = Array.prototype.some.call(select.options, function (o) { return o.value === current; }) ? current : "";
      select.disabled = !parentValue;
    };
    var update = function () {
      refill("category", selects.brand ? selects.brand.value : "");
      refill("model", selects.category ? selects.category.value : "");
    };
    if (selects.brand) selects.brand.addEventListener("change", update);
    if (selects.category) selects.category.addEventListener("change", function () {
      refill("model", selects.category.value);
    });
    update();
  });

  // Photo previews before upload (the server checks and re-encodes every photo anyway).
  document.querySelectorAll("input[type=file][data-preview]").forEach(function (input) {
    var box = document.querySelector('[data-preview-for="' + input.id + '"]');
    if (!box) return;
    var limit = parseInt(input.getAttribute("data-max-files"), 10) || 9;
    input.addEventListener("change", function () {
      box.innerHTML = "";
      var problems = [];
      Array.prototype.slice.call(input.files || []).forEach(function (file, index) {
        if (index >= limit) return;
        if (file.size > 10 * 1024 * 1024) problems.push(input.getAttribute("data-too-big") || "Too big");
        if (!/^image\//.test(file.type) || !window.URL) return;
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        img.onload = function () { URL.revokeObjectURL(img.src); };
        box.appendChild(img);
      });
      input.setCustomValidity(problems.length ? problems[0] : "");
      if (problems.length) input.reportValidity && input.reportValidity();
    });
  });

  // Form-field editor: move rows, add rows, show the settings of the chosen type.
  var editor = document.querySelector("[data-field-editor]");
  if (editor) {
    var rows = editor.querySelector("[data-rows]");
    var total = editor.querySelector("input[name$='-TOTAL_FORMS']");
    var structured = { serial_lookup: "serial", location: "location", machine: "machine",
      service_type: "service_type", warranty: "warranty", appointment: "appointment" };
    var renumber = function () {
      Array.prototype.forEach.call(rows.querySelectorAll("[data-row]"), function (row, index) {
        var order = row.querySelector("input[name$='-ORDER']");
        if (order) order.value = String(index + 1);
      });
    };
    var showFor = function (row) {
      var type = row.querySelector("select[name$='-type']");
      if (!type) return;
      row.querySelectorAll("[data-for-types]").forEach(function (part) {
        part.hidden = part.getAttribute("data-for-types").split(" ").indexOf(type.value) === -1;
      });
      var key = row.querySelector("input[name$='-key']");
      if (key && structured[type.value]) { key.value = structured[type.value]; key.readOnly = true; }
      else if (key) { key.readOnly = false; }
    };
    var wire = function (row) {
      row.querySelectorAll(".order-input").forEach(function (el) { el.hidden = true; });
      var type = row.querySelector("select[name$='-type']");
      if (type) type.addEventListener("change", function () { showFor(row); });
      showFor(row);
    };
    rows.querySelectorAll("[data-row]").forEach(wire);
    renumber();
    rows.addEventListener("click", function (event) {
      var button = event.target.closest("[data-move]");
      if (!button) return;
      var row = button.closest("[data-row]");
      if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
        rows.insertBefore(row, row.previousElementSibling);
      } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
        rows.insertBefore(row.nextElementSibling, row);
      }
      renumber();
    });
    var add = editor.querySelector("[data-add-row]");
    var template = editor.querySelector("template[data-empty-row]");
    if (add && template && total) {
      add.addEventListener("click", function () {
        var index = parseInt(total.value, 10);
        var holder = document.createElement("div");
        holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
        var row = holder.firstElementChild;
        rows.appendChild(row);
        total.value = String(index + 1);
        wire(row);
        renumber();
        var first = row.querySelector("select, input");
        if (first) first.focus();
      });
    }
  }

  // Import progress: poll the job until it is done, then show the result or the row errors.
  var job = document.querySelector("[data-import-job][data-polling]");
  if (job && window.fetch) {
    var url = job.getAttribute("data-status-url");
    var set = function (name, value) {
      job.querySelectorAll('[data-field="' + name + '"]').forEach(function (el) {
        if (el.tagName === "PROGRESS") el.value = value; else el.textContent = value;
      });
    };
    var poll = function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          ["status_label", "rows_done", "rows_total", "percent", "created", "updated"].forEach(function (k) { set(k, state[k]); });
          if (!state.finished) { window.setTimeout(poll, 1000); return; }
          job.querySelectorAll("[data-when]").forEach(function (el) {
            el.hidden = el.getAttribute("data-when") !== state.status;
          });
          var body = job.querySelector("[data-errors]");
          if (body && state.errors.length) {
            body.innerHTML = "";
            state.errors.forEach(function (e) {
              var tr = document.createElement("tr");
              [e.row, e.column, e.message].forEach(function (text) {
                var td = document.createElement("td"); td.textContent = text; tr.appendChild(td);
              });
              body.appendChild(tr);
            });
          }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    };
    window.setTimeout(poll, 500);
  }

  // Rating stars: fill the stars up to the one chosen and show its description (data-stars; the
  // radio inputs under the stars are what the form sends).
  document.querySelectorAll("[data-star-picker]").forEach(function (picker) {
    var show = function () {
      var checked = picker.querySelector("input[type=radio]:checked");
      if (checked) picker.setAttribute("data-stars", checked.value);
      else picker.removeAttribute("data-stars");
    };
    picker.addEventListener("change", show);
    show();
  });

  // "Select all" checkboxes of a table.
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    var name = box.getAttribute("data-check-all");
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) { b.checked = box.checked; });
    });
  });
})();

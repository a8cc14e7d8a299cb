/* Bulk steps on the order list: tick orders, choose a step (and an engineer), apply. One request
   per order so the progress bar moves and each refusal is listed next to its order number; the
   page reloads when all are done. Without this script the form posts the whole batch at once. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-bulk]");
  if (!form) return;
  var all = document.querySelector("[data-bulk-all]");
  var boxes = function () { return Array.prototype.slice.call(document.querySelectorAll('input[name="orders"][form="bulk-form"]')); };
  if (all) all.addEventListener("change", function () { boxes().forEach(function (box) { box.checked = all.checked; }); });
  var progress = form.querySelector(".bulk-progress");
  var status = form.querySelector(".bulk-status");
  form.addEventListener("submit", function (event) {
    var ids = boxes().filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
    if (!ids.length || !window.fetch || form.querySelector("fieldset[disabled]")) return; // let the server say why
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    progress.hidden = false;
    progress.max = ids.length;
    progress.value = 0;
    var failures = [];
    var done = 0;
    function next(index) {
      if (index >= ids.length) {
        status.textContent = done + " / " + ids.length + (failures.length ? " — " + failures.join("; ") : "");
        window.setTimeout(function () { window.location.reload(); }, failures.length ? 4000 : 800);
        return;
      }
      var data = new FormData(form);
      data.delete("orders");
      data.append("orders", ids[index]);
      window.fetch(form.action, { method: "POST", body: data, headers: { "X-Bulk-Progress": "1" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          (body.results || []).forEach(function (result) {
            if (result.ok) { done += 1; } else { failures.push(result.number + ": " + result.message); }
          });
          if (body.errors) { failures.push(Object.keys(body.errors).map(function (k) { return body.errors[k][0].message; }).join(" ")); }
        })
        .catch(function () { failures.push("#" + ids[index]); })
        .then(function () {
          progress.value = index + 1;
          status.textContent = (index + 1) + " / " + ids.length;
          next(index + 1);
        });
    }
    next(0);
  });
})();

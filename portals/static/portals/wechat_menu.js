// WeChat menu editor: show only the fields a button kind needs, and keep the phone preview in step.
(function () {
  "use strict";
  function refresh(box) {
    var select = box.querySelector("[data-kind]");
    var kind = select ? select.value : "";
    box.querySelectorAll("[data-show]").forEach(function (el) { el.hidden = el.getAttribute("data-show") !== kind; });
    var slot = box.closest(".menu-slot");
    if (slot && box.parentElement === slot) {
      var subs = slot.querySelector(".menu-subs");
      if (subs) { subs.hidden = kind !== "parent"; }
    }
  }
  function preview(input) {
    var key = input.getAttribute("data-preview-name");
    var target = document.querySelector('[data-preview="' + key + '"]');
    if (!target) { return; }
    var isTop = key.charAt(0) === "b";
    target.textContent = input.value;
    if (isTop) {
      target.parentElement.hidden = !input.value;
    } else {
      target.hidden = !input.value;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-kind-box]").forEach(function (box) {
      refresh(box);
      var select = box.querySelector("[data-kind]");
      if (select) { select.addEventListener("change", function () { refresh(box); }); }
    });
    document.querySelectorAll("[data-preview-name]").forEach(function (input) {
      input.addEventListener("input", function () { preview(input); });
    });
  });
})();

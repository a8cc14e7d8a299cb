/* Small progressive enhancements for the portal and console. Everything works without it. */
(function () {
  "use strict";

  // The console menu scrolls sideways on phones: keep the current screen's entry in view.
  var current = document.querySelector(".console-nav .current");
  if (current && current.parentNode.scrollWidth > current.parentNode.clientWidth) {
    current.parentNode.scrollLeft = current.offsetLeft - current.parentNode.clientWidth / 2 + current.clientWidth / 2;
  }

  // "Send code" buttons wait out the resend interval after a code went out.
  document.querySelectorAll("[data-countdown]").forEach(function (button) {
    var left = parseInt(button.getAttribute("data-countdown"), 10) || 0;
    var label = button.textContent;
    var waitLabel = button.getAttribute("data-wait-label") || "";
    if (left <= 0) return;
    button.disabled = true;
    var tick = function () {
      if (left <= 0) { button.disabled = false; button.textContent = label; return; }
      button.textContent = waitLabel + " " + String(left) + "s";
      left -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  });

  // Copy buttons: <button data-copy="#element-id">.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target) return;
      var text = target.value !== undefined ? target.value : target.textContent;
      var done = function () {
        var original = button.textContent;
        button.textContent = button.getAttribute("data-copied") || original;
        window.setTimeout(function () { button.textContent = original; }, 1500);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done);
      } else {
        target.select && target.select();
        try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
      }
    });
  });

  // Print buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Embedded-login setup: live preview size and the snippet follow the width/height inputs.
  var embed = document.querySelector("[data-embed-setup]");
  if (embed) {
    var width = embed.querySelector("[name=width]");
    var height = embed.querySelector("[name=height]");
    var frame = document.querySelector("[data-embed-preview]");
    var snippet = document.querySelector("[data-embed-snippet]");
    var src = embed.getAttribute("data-embed-url");
    var title = embed.getAttribute("data-embed-title");
    var clamp = function (input, low, high) {
      var value = parseInt(input.value, 10);
      if (isNaN(value)) return null;
      return Math.min(high, Math.max(low, value));
    };
    var update = function () {
      var w = clamp(width, 240, 1200), h = clamp(height, 300, 1200);
      if (w === null || h === null) return;
      frame.width = w; frame.height = h;
      snippet.value = '<iframe src="' + src + '" width="' + w + '" height="' + h +
        '" style="border:0" title="' + title + '"></iframe>';
    };
    width.addEventListener("input", update);
    height.addEventListener("input", update);
  }

  // Embedded login finished: try to open the portal in the top window (browsers may require the
  // tap on the button instead, which always works).
  var enter = document.querySelector("[data-enter-top]");
  if (enter) {
    try { window.top.location.href = enter.href; } catch (e) { /* the button stays */ }
  }
})();

/* Forms that ask first (data-confirm="question") or never send (data-no-submit, the form preview):
   handled here because the Content-Security-Policy allows no inline event handlers. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-no-submit")) { event.preventDefault(); return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();

/* The customer's signature on the job sheet: draw with a finger or a mouse on the canvas (pointer
   events), clear, and send the drawing as a PNG data URL in the form's hidden field. */
(function () {
  "use strict";
  document.querySelectorAll("form[data-signature]").forEach(function (form) {
    var pad = form.querySelector("canvas.signature-pad");
    var field = form.querySelector('input[name="signature"]');
    if (!pad || !field) return;
    var context = pad.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";
    function point(event) {
      var box = pad.getBoundingClientRect();
      return { x: (event.clientX - box.left) * (pad.width / box.width), y: (event.clientY - box.top) * (pad.height / box.height) };
    }
    pad.addEventListener("pointerdown", function (event) {
      drawing = true;
      pad.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    pad.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      pad.addEventListener(name, function () { drawing = false; });
    });
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, pad.width, pad.height);
      drawn = false;
      field.value = "";
    });
    form.addEventListener("submit", function () {
      field.value = drawn ? pad.toDataURL("image/png") : "";
    });
  });
})();

/* Visitor module pages: copy-link buttons, the bulk-invite upload progress bar, and the gate
   scanner (the browser's BarcodeDetector reading the pass QR; without it the guard types the
   short code). Served by the app; no CDN. */
(function () {
  "use strict";

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.dataset.copyTarget);
      if (!input) { return; }
      input.select();
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value);
      } else {
        document.execCommand("copy");
      }
    });
  });

  document.querySelectorAll("form[data-upload-progress]").forEach(function (form) {
    var bar = form.querySelector("[data-progress]");
    form.addEventListener("submit", function (event) {
      if (!window.XMLHttpRequest || !window.FormData || !bar) { return; }
      event.preventDefault();
      var request = new XMLHttpRequest();
      bar.hidden = false;
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round((e.loaded / e.total) * 90); }
      });
      request.addEventListener("load", function () {
        bar.value = 100;
        if (request.responseURL && request.responseURL !== window.location.href) {
          window.location.assign(request.responseURL);
          return;
        }
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.open("POST", form.action || window.location.href);
      request.send(new FormData(form));
    });
  });

  var scanner = document.querySelector("[data-scanner]");
  var form = document.querySelector("form[data-gate-form]");
  if (scanner && form && "BarcodeDetector" in window) {
    var unsupported = document.querySelector("[data-scanner-unsupported]");
    if (unsupported) { unsupported.hidden = true; }
    scanner.hidden = false;
    var video = scanner.querySelector("[data-scanner-video]");
    var start = scanner.querySelector("[data-scanner-start]");
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var stream = null;
    var stop = function () {
      if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    };
    var tick = function () {
      if (!stream) { return; }
      detector.detect(video).then(function (codes) {
        if (codes.length) {
          stop();
          form.querySelector("[name=code]").value = codes[0].rawValue;
          form.submit();
          return;
        }
        window.requestAnimationFrame(tick);
      }).catch(function () { window.requestAnimationFrame(tick); });
    };
    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.play();
        tick();
      }).catch(function () {
        scanner.hidden = true;
        if (unsupported) { unsupported.hidden = false; }
      });
    });
  }
}());

/* WeChat Pay QR page: ask the server every few seconds whether the order is still pending; reload
   once it is not (paid, failed, cancelled). No library, works in WeChat's browser. */
(function () {
  "use strict";
  var box = document.getElementById("wechat-pay");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var every = (parseInt(box.getAttribute("data-poll-seconds"), 10) || 5) * 1000;
  var tries = 0;
  function check() {
    tries += 1;
    if (tries > 360) { return; } // stop after about half an hour; the QR code has expired by then
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.status && data.status !== "pending") {
          window.location.reload();
          return;
        }
        window.setTimeout(check, every);
      })
      .catch(function () { window.setTimeout(check, every * 2); });
  }
  window.setTimeout(check, every);
})();

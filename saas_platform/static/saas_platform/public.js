/* Public site: "send code" buttons with a resend countdown, and the live subdomain check.
   Plain ES5-ish JavaScript so it runs in WeChat's browser; no libraries, no CDN. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function countdown(button, seconds) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.disabled = true;
    var left = seconds;
    button.textContent = label + " (" + left + ")";
    var timer = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.textContent = label;
      } else {
        button.textContent = label + " (" + left + ")";
      }
    }, 1000);
  }

  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      for (var mask = 128; mask && !(bytes[i] & mask); mask >>= 1) { bits += 1; }
      return bits;
    }
    return bits;
  }

  // SHA-256(challenge + ":" + nonce) must start with `bits` zero bits; a person waits well under a second.
  function solve(challenge, bits) {
    if (!(window.crypto && window.crypto.subtle)) { return Promise.reject(new Error("no crypto")); }
    var encoder = new TextEncoder();
    var nonce = 0;
    function step() {
      var batch = [];
      for (var i = 0; i < 256; i++) {
        batch.push(window.crypto.subtle.digest("SHA-256", encoder.encode(challenge + ":" + (nonce + i))));
      }
      return Promise.all(batch).then(function (digests) {
        for (var j = 0; j < digests.length; j++) {
          if (zeroBits(new Uint8Array(digests[j])) >= bits) { return String(nonce + j); }
        }
        nonce += 256;
        return step();
      });
    }
    return step();
  }

  document.querySelectorAll("[data-send-code]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var form = button.form;
      var status = form.querySelector("[data-send-code-status]");
      var phone = form.querySelector("input[name=phone]");
      button.disabled = true;
      function send(challenge, nonce) {
        var body = new FormData();
        body.append("phone", phone ? phone.value : "");
        body.append("purpose", button.getAttribute("data-purpose"));
        if (challenge) { body.append("challenge", challenge); body.append("nonce", nonce); }
        return fetch(button.getAttribute("data-send-code"), {
          method: "POST",
          body: body,
          headers: { "X-CSRFToken": csrfToken(form) },
          credentials: "same-origin"
        }).then(function (response) { return response.json(); });
      }
      send()
        .then(function (data) {
          // Near a sending limit the server asks for a small proof of work (integrations/sms/challenge.py).
          if (data.reason === "challenge" && data.challenge) {
            status.textContent = data.error;
            return solve(data.challenge, data.bits).then(function (nonce) {
              return send(data.challenge, nonce);
            });
          }
          return data;
        })
        .then(function (data) {
          status.textContent = data.ok ? data.message : data.error;
          status.className = "help " + (data.ok ? "ok" : "bad");
          if (data.ok) {
            countdown(button, 60);
            var code = form.querySelector("input[name=code]");
            if (code) { code.focus(); }
          } else {
            button.disabled = false;
          }
        })
        .catch(function () {
          button.disabled = false;
          status.textContent = button.getAttribute("data-error") || "…";
        });
    });
  });

  var subdomain = document.getElementById("id_subdomain");
  var output = document.getElementById("subdomain-status");
  if (subdomain && output) {
    var timer = null;
    var latest = 0;
    var check = function () {
      var value = subdomain.value.trim().toLowerCase();
      if (!value) { output.textContent = ""; output.className = "availability"; return; }
      var ticket = ++latest;
      fetch(output.getAttribute("data-check-url") + "?subdomain=" + encodeURIComponent(value), {
        credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (ticket !== latest) { return; } // an older answer arriving late
          output.textContent = data.message;
          output.className = "availability " + (data.available ? "ok" : "bad");
          output.setAttribute("data-reason", data.reason || "available");
        });
    };
    subdomain.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    });
    if (subdomain.value) { check(); }
  }
})();

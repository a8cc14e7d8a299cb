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

  document.querySelectorAll("[data-send-code]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var form = button.form;
      var status = form.querySelector("[data-send-code-status]");
      var phone = form.querySelector("input[name=phone]");
      var body = new FormData();
      body.append("phone", phone ? phone.value : "");
      body.append("purpose", button.getAttribute("data-purpose"));
      button.disabled = true;
      fetch(button.getAttribute("data-send-code"), {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": csrfToken(form) },
        credentials: "same-origin"
      })
        .then(function (response) { return response.json(); })
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

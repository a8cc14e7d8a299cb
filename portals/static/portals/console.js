/* Console shell: the menu button opens the sidebar drawer on phones and folds the sidebar away on
   desktops (remembered in localStorage). Escape or a tap outside closes the drawer. */
(function () {
  "use strict";
  var body = document.body;
  var button = document.querySelector("[data-sidebar-toggle]");
  if (!button) return;
  var wide = window.matchMedia("(min-width: 900px)");
  var KEY = "baoxiu.console.sidebar";
  function stored() { try { return window.localStorage.getItem(KEY); } catch (e) { return null; } }
  function store(value) { try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode */ } }
  function sync() {
    var open = wide.matches ? !body.classList.contains("nav-collapsed") : body.classList.contains("nav-open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  if (stored() === "collapsed") body.classList.add("nav-collapsed");
  button.addEventListener("click", function () {
    if (wide.matches) {
      body.classList.toggle("nav-collapsed");
      store(body.classList.contains("nav-collapsed") ? "collapsed" : "open");
    } else {
      body.classList.toggle("nav-open");
    }
    sync();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && body.classList.contains("nav-open")) { body.classList.remove("nav-open"); sync(); }
  });
  document.addEventListener("click", function (event) {
    if (!body.classList.contains("nav-open")) return;
    if (event.target.closest("#console-sidebar") || event.target.closest("[data-sidebar-toggle]")) return;
    body.classList.remove("nav-open");
    sync();
  });
  if (wide.addEventListener) wide.addEventListener("change", sync);
  sync();
})();

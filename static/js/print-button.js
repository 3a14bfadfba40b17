// The print page's button: no inline handler, so the page works under a strict CSP.
(function () {
  var button = document.getElementById("print-page");
  if (button) button.addEventListener("click", function () { window.print(); });
})();

// The Content-Security-Policy allows no inline style, so widths computed on the server travel
// as data attributes and are set here (a script may set element styles; markup may not).
//   data-width="62"  -> width: 62%      data-indent="2" -> margin-left: 2rem
// The Print button calls the browser's print dialog (no inline onclick either).
document.querySelectorAll("[data-width]").forEach((el) => {
  el.style.width = `${Number(el.dataset.width) || 0}%`;
});
document.querySelectorAll("[data-indent]").forEach((el) => {
  el.style.marginLeft = `${Number(el.dataset.indent) || 0}rem`;
});
document.querySelectorAll("[data-print]").forEach((el) => {
  el.addEventListener("click", () => window.print());
});

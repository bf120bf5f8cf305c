// Small conveniences on top of plain forms; every page works without them.
document.addEventListener("change", (event) => {
  // A select marked data-autosubmit sends its form as soon as it changes.
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});
document.addEventListener("submit", (event) => {
  // Forms marked data-confirm ask first.
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
document.addEventListener("click", (event) => {
  // Links marked data-go-back return to the previous page; their href is
  // for browsers without JavaScript (the pages allow no inline script).
  const link = event.target.closest("a[data-go-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
// Submit buttons marked js-hide are for browsers without JavaScript.
document.documentElement.classList.add("js");

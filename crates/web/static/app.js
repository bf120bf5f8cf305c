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
// A conversation's page: its messages refresh every few seconds (marked
// seen while the page is in view), and typing an answer tells the
// visitor's widget that someone is typing, at most every 3 seconds and
// never for a private note.
const REFRESH_MS = 3000;
const TYPING_EVERY_MS = 3000;
const initialMessages = document.querySelector("[data-refresh]");
if (initialMessages) {
  const url = initialMessages.dataset.refresh;
  const refresh = async () => {
    const current = document.getElementById(initialMessages.id);
    const seen = document.visibilityState === "visible" ? "?seen=1" : "";
    try {
      const response = await fetch(url + seen, { credentials: "same-origin" });
      if (!response.ok) return;
      const html = await response.text();
      const fresh = new DOMParser().parseFromString(html, "text/html").getElementById(current.id);
      if (fresh && fresh.outerHTML !== current.outerHTML) {
        const atBottom = window.innerHeight + window.scrollY >= document.body.offsetHeight - 40;
        current.replaceWith(fresh);
        if (atBottom) window.scrollTo(0, document.body.scrollHeight);
      }
    } catch (_) {
      // Offline for a moment: the next round tries again.
    }
  };
  window.setInterval(refresh, REFRESH_MS);
}
const replyForm = document.querySelector("form[data-typing]");
if (replyForm) {
  let lastPing = 0;
  replyForm.addEventListener("input", (event) => {
    if (event.target.name !== "text" || replyForm.elements.private.checked) return;
    const now = Date.now();
    if (now - lastPing < TYPING_EVERY_MS) return;
    lastPing = now;
    const body = new URLSearchParams({ _csrf: replyForm.elements._csrf.value });
    fetch(replyForm.dataset.typing, { method: "POST", body, credentials: "same-origin" }).catch(() => {});
  });
}
// Buttons marked data-copy copy the text of the element with that id.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button || !navigator.clipboard) return;
  const source = document.getElementById(button.dataset.copy);
  navigator.clipboard.writeText(source.textContent).then(() => {
    button.textContent = "Copied";
  });
});

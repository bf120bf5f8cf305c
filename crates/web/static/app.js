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
// A comment box marked data-mentions offers the account's people as one
// types "@" and a few letters of their name or handle: arrow keys move
// through them, Enter or Tab picks one ("@handle " is written), Escape
// closes the list. Without JavaScript, "@handle" is typed by hand.
for (const area of document.querySelectorAll("textarea[data-mentions]")) {
  const source = document.getElementById(area.dataset.mentions);
  if (!source) continue;
  const people = Array.from(source.children, (li) => ({
    handle: li.dataset.handle,
    name: li.textContent.trim(),
  }));
  const menu = document.createElement("ul");
  menu.id = `${area.id}-people`;
  menu.className = "mention-menu";
  menu.setAttribute("role", "listbox");
  menu.setAttribute("aria-label", "People to mention");
  menu.hidden = true;
  area.after(menu);
  area.setAttribute("role", "combobox");
  area.setAttribute("aria-autocomplete", "list");
  area.setAttribute("aria-controls", menu.id);
  area.setAttribute("aria-expanded", "false");
  let matches = [];
  let active = 0;
  let start = 0;
  const close = () => {
    matches = [];
    menu.hidden = true;
    area.setAttribute("aria-expanded", "false");
    area.removeAttribute("aria-activedescendant");
  };
  const pick = (i) => {
    area.setRangeText(`@${matches[i].handle} `, start, area.selectionStart, "end");
    close();
    area.focus();
  };
  const draw = () => {
    menu.replaceChildren(...matches.map((person, i) => {
      const option = document.createElement("li");
      option.id = `${menu.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", String(i === active));
      option.textContent = `${person.name} `;
      const handle = document.createElement("span");
      handle.className = "muted small";
      handle.textContent = `@${person.handle}`;
      option.append(handle);
      // mousedown, not click: the box keeps its focus and caret.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(i);
      });
      return option;
    }));
    menu.hidden = matches.length === 0;
    area.setAttribute("aria-expanded", String(!menu.hidden));
    if (menu.hidden) area.removeAttribute("aria-activedescendant");
    else area.setAttribute("aria-activedescendant", `${menu.id}-${active}`);
  };
  area.addEventListener("input", () => {
    const typed = area.value.slice(0, area.selectionStart).match(/(?:^|[^\p{L}\p{N}])@([\p{L}\p{N}._+-]*)$/u);
    if (!typed) return close();
    const word = typed[1].toLowerCase();
    start = area.selectionStart - typed[1].length - 1;
    matches = people
      .filter((p) => p.handle.startsWith(word) || p.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(word)))
      .slice(0, 8);
    active = 0;
    draw();
  });
  area.addEventListener("keydown", (event) => {
    if (menu.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      draw();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  area.addEventListener("blur", close);
}
// A search form marked data-live-results shows its results as one types:
// the results part of the page its GET answers (#link-results) is put in
// the element the attribute names. Without JavaScript the form opens that
// page.
for (const form of document.querySelectorAll("form[data-live-results]")) {
  const target = document.getElementById(form.dataset.liveResults);
  const input = form.querySelector("input[type=search]");
  if (!target || !input) continue;
  let timer = 0;
  let asked = 0;
  const show = async () => {
    const ask = ++asked;
    const query = input.value.trim();
    if (!query) {
      target.replaceChildren();
      return;
    }
    const url = `${form.action}?${new URLSearchParams({ query })}`;
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok || ask !== asked) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const results = page.getElementById("link-results");
      if (results) target.replaceChildren(...results.childNodes);
    } catch (_) {
      // Offline for a moment: the next keystroke asks again.
    }
  };
  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(show, 250);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    show();
  });
}
// A board marked data-drag-stages lets its cards be dragged to another
// stage's column: the drop sets the card's stage select and sends its
// form, so the server moves the record with the same checks as the select
// (and the board comes back from the server). Without JavaScript, or from
// the keyboard, the select does it.
for (const board of document.querySelectorAll(".board[data-drag-stages]")) {
  let dragged = null;
  // A dragged text selection's events target a text node, which has no closest().
  const columnAt = (event) => event.target.closest && event.target.closest("[data-stage]");
  const unmark = () => {
    for (const column of board.querySelectorAll(".drop-target")) column.classList.remove("drop-target");
  };
  for (const card of board.querySelectorAll(".board-card")) {
    if (card.querySelector("form select")) card.draggable = true;
  }
  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.querySelector("a").href);
    dragged.classList.add("dragging");
  });
  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    unmark();
  });
  board.addEventListener("dragover", (event) => {
    const column = columnAt(event);
    if (!dragged || !column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!column.classList.contains("drop-target")) {
      unmark();
      column.classList.add("drop-target");
    }
  });
  board.addEventListener("drop", (event) => {
    const column = columnAt(event);
    if (!dragged || !column) return;
    event.preventDefault();
    unmark();
    const select = dragged.querySelector("form select");
    if (select.value === column.dataset.stage) return;
    select.value = column.dataset.stage;
    column.append(dragged);
    select.form.requestSubmit();
  });
}

// The admin's autocomplete (Django's `autocomplete_fields`): each key input that names an
// endpoint in `data-autocomplete-url` gets a search box beside it, listing the related rows
// whose search fields match what is typed (20 at a time, "More" for the next ones); choosing
// one puts its key in the input and its label beside it. Without this script the key is
// typed in, and the server checks it the same way. A disabled input (a row shown read-only)
// gets no search box. Text goes in with `textContent` only.
"use strict";

document.querySelectorAll("input[data-autocomplete-url]:not([disabled])").forEach((input) => {
  let label = input.parentElement.querySelector(`strong.key-label[data-for="${input.name}"]`);
  if (!label) {
    label = document.createElement("strong");
    label.className = "key-label";
    label.dataset.for = input.name;
    input.after(label);
  }
  const search = document.createElement("input");
  search.type = "search";
  search.id = `${input.id}_search`;
  search.className = "autocomplete-search";
  search.placeholder = "Search…";
  search.autocomplete = "off";
  search.setAttribute("role", "combobox");
  search.setAttribute("aria-autocomplete", "list");
  search.setAttribute("aria-controls", `${input.id}_results`);
  search.setAttribute("aria-expanded", "false");
  const list = document.createElement("ul");
  list.id = `${input.id}_results`;
  list.className = "autocomplete-results";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  label.after(search, list);
  // The field's label now names the box one types in; the key input stays in the form.
  document.querySelector(`label[for="${input.id}"]`)?.setAttribute("for", search.id);
  input.type = "hidden";

  if (!input.required) {
    const clear = document.createElement("button");
    clear.type = "button";
    clear.className = "autocomplete-clear";
    clear.textContent = "Clear";
    clear.addEventListener("click", () => choose({ id: "", text: "" }));
    search.after(clear);
  }

  let timer;
  let asked = 0;
  let page = 1;

  function choose(row) {
    input.value = row.id;
    label.textContent = row.text;
    search.value = "";
    close();
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    search.setAttribute("aria-expanded", "false");
  }

  async function show(more) {
    const mine = ++asked;
    page = more ? page + 1 : 1;
    const url = new URL(input.dataset.autocompleteUrl, window.location.href);
    url.searchParams.set("term", search.value.trim());
    url.searchParams.set("page", String(page));
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    // A later search answered first, or the answer is an error page: keep what is shown.
    if (mine !== asked || !res.ok) return;
    const body = await res.json();
    if (!more) list.replaceChildren();
    list.querySelector("li.more")?.remove();
    for (const row of body.results) {
      const item = document.createElement("li");
      item.setAttribute("role", "option");
      const pick = document.createElement("button");
      pick.type = "button";
      pick.textContent = row.text;
      pick.addEventListener("click", () => choose(row));
      item.append(pick);
      list.append(item);
    }
    if (body.pagination.more) {
      const item = document.createElement("li");
      item.className = "more";
      const next = document.createElement("button");
      next.type = "button";
      next.textContent = "More…";
      next.addEventListener("click", () => show(true));
      item.append(next);
      list.append(item);
    }
    if (!list.children.length) {
      const item = document.createElement("li");
      item.className = "none";
      item.textContent = "No results found";
      list.append(item);
    }
    list.hidden = false;
    search.setAttribute("aria-expanded", "true");
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => show(false), 250);
  });
  search.addEventListener("focus", () => {
    if (list.hidden) show(false);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
    // Enter in the box would submit the form before anything was chosen.
    if (event.key === "Enter") event.preventDefault();
  });
});

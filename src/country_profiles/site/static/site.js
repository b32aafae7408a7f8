// Country profiles: sort and filter the index table in the browser. The page works without
// this file (the table is complete and sorted by name); nothing here fetches anything.
"use strict";

function sortValue(cell, kind) {
  if (kind === "number") {
    const raw = cell.dataset.sortValue;
    return raw === undefined || raw === "" ? null : Number(raw);
  }
  return cell.textContent.trim().toLocaleLowerCase();
}

function compare(a, b, kind) {
  if (a === null && b === null) return 0;
  if (a === null) return 1; // missing values last, whichever the direction
  if (b === null) return -1;
  return kind === "number" ? a - b : a.localeCompare(b);
}

function makeSortable(table) {
  const headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach((th, column) => {
    const marker = th.querySelector("[data-sort]");
    if (!marker) return;
    const kind = marker.dataset.sort;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = marker.textContent;
    marker.replaceWith(button);
    button.addEventListener("click", () => {
      const descending = th.getAttribute("aria-sort") === "ascending";
      headers.forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      const body = table.tBodies[0];
      const rows = Array.from(body.rows).map((row) => [sortValue(row.cells[column], kind), row]);
      rows.sort((x, y) => {
        if (x[0] === null || y[0] === null) return compare(x[0], y[0], kind);
        const order = compare(x[0], y[0], kind);
        return descending ? -order : order;
      });
      body.append(...rows.map((pair) => pair[1]));
    });
  });
}

function makeFilterable(form) {
  const table = document.getElementById(form.dataset.filterFor);
  const text = form.querySelector("#filter-text");
  const region = form.querySelector("#filter-region");
  const count = form.querySelector("#filter-count");
  const rows = Array.from(table.tBodies[0].rows);
  function apply() {
    const needle = text.value.trim().toLocaleLowerCase();
    let shown = 0;
    for (const row of rows) {
      const visible = (!needle || row.dataset.search.includes(needle)) &&
        (!region.value || row.dataset.region === region.value);
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    count.textContent = `${shown} of ${rows.length} shown`;
  }
  form.addEventListener("submit", (event) => event.preventDefault());
  text.addEventListener("input", apply);
  region.addEventListener("change", apply);
  form.hidden = false;
  apply();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("table.sortable").forEach(makeSortable);
  document.querySelectorAll("form[data-filter-for]").forEach(makeFilterable);
});

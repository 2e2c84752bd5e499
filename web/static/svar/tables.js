// Reflow (WCAG 2.1 1.4.10, issue #18): a page never scrolls sideways at 320 CSS px or at 200 %
// zoom. A table wider than the screen scrolls in a region of its own instead: named after the
// table's caption or the heading above it, and reachable with Tab (tabindex=0) while it is
// wider than its region, so the keyboard can scroll it. Tables added later (a fragment that
// replaces part of the page) are wrapped too.

let labels = 0;

function heading(table) {
  for (let el = table; el && el !== document.body; el = el.parentElement) {
    for (let before = el.previousElementSibling; before; before = before.previousElementSibling) {
      if (before.matches("h1, h2, h3, h4, summary, legend")) return before;
      const inside = before.querySelectorAll("h1, h2, h3, h4");
      if (inside.length) return inside[inside.length - 1];
    }
    if (el.parentElement?.matches("details")) return el.parentElement.querySelector("summary");
  }
  return null;
}

function name(region, table) {
  for (const attribute of ["aria-labelledby", "aria-label"]) {
    const value = table.getAttribute(attribute);
    if (value) return region.setAttribute(attribute, value);
  }
  const source = table.caption || heading(table);
  if (!source) return region.setAttribute("aria-label", document.title);
  if (!source.id) source.id = `table-label-${++labels}`;
  region.setAttribute("aria-labelledby", source.id);
}

function wrap(table) {
  if (table.parentElement?.classList.contains("table-scroll")) return;
  const region = document.createElement("div");
  region.className = "table-scroll";
  region.setAttribute("role", "region");
  name(region, table);
  table.before(region);
  region.append(table);
}

function focusable() {
  for (const region of document.querySelectorAll(".table-scroll")) {
    if (region.scrollWidth > region.clientWidth + 1) region.tabIndex = 0;
    else region.removeAttribute("tabindex");
  }
}

function wrapAll(root) {
  if (root.matches?.("table")) wrap(root);
  for (const table of root.querySelectorAll?.("table") || []) wrap(table);
}

wrapAll(document.body);
focusable();
new MutationObserver((changes) => {
  let added = false;
  for (const change of changes) {
    for (const node of change.addedNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && (node.matches("table") || node.querySelector("table"))) {
        wrapAll(node);
        added = true;
      }
    }
  }
  if (added) focusable();
}).observe(document.body, { childList: true, subtree: true });
window.addEventListener("resize", focusable);

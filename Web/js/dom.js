// Building pages: elements from data (text is always text, never HTML), forms with their labels and problem messages.
import { t } from "./i18n.js";

const main = () => document.getElementById("main");

/// `tag` with attributes (`on…` are listeners) and children; strings become text nodes.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else if (value !== null && value !== undefined && value !== false) element.setAttribute(name, value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

/// Replaces the page; the heading is focused so that a screen reader announces the new page.
export function show(...children) {
  const page = main();
  page.replaceChildren(...children);
  const heading = page.querySelector("h1");
  document.title = heading ? `${heading.textContent} · MayaGo` : "MayaGo";
  (heading ?? page).setAttribute("tabindex", "-1");
  (heading ?? page).focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

let serial = 0;

/// A labelled control; `attributes.id` defaults to a fresh one, `hint` is read with the control.
export function field(label, control, hint) {
  control.id ||= `field-${++serial}`;
  const hintElement = hint ? h("small", { id: `${control.id}-hint`, class: "muted" }, hint) : null;
  if (hintElement) control.setAttribute("aria-describedby", hintElement.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintElement);
}

/// A form whose submit runs `action`; a failure shows the problem's first field error (or its detail) in the form's
/// alert, and marks the field it names.
export function form(attributes, children, action) {
  const alert = h("p", { class: "error", role: "alert" });
  const submit = children.find((child) => child?.tagName === "BUTTON" && child.type === "submit");
  const element = h("form", { ...attributes, novalidate: true, onsubmit: async (event) => {
    event.preventDefault();
    alert.textContent = "";
    for (const marked of element.querySelectorAll("[aria-invalid]")) marked.removeAttribute("aria-invalid");
    if (!element.reportValidity()) return;
    if (submit) submit.disabled = true;
    try {
      await action(element);
    } catch (failure) {
      alert.textContent = problemText(failure);
      const named = failure.problem?.errors?.[0]?.field;
      const control = named && element.querySelector(`[name="${CSS.escape(named)}"]`);
      if (control) {
        control.setAttribute("aria-invalid", "true");
        control.focus();
      }
    } finally {
      if (submit) submit.disabled = false;
    }
  } }, ...children, alert);
  return element;
}

/// Whether a call failed for want of a network (fetch rejects with a TypeError then), not for a fault of ours.
export function isNetworkFailure(failure) {
  return !navigator.onLine || (failure instanceof TypeError && /fetch|network/i.test(failure.message));
}

/// What a failed call says to a person: the field and its message, the problem's detail, or that we are offline.
export function problemText(failure) {
  if (isNetworkFailure(failure)) return t("offline");
  const first = failure.problem?.errors?.[0];
  if (first) return `${first.field}: ${first.message}`;
  return failure.problem?.detail ?? failure.message ?? t("failed");
}

import { api, resume, signIn, signedIn, signOut } from "./api.js";
import { language, money, setLanguage, t } from "./i18n.js";

const main = document.getElementById("main");

/// Builds an element: `tag` with attributes and children (strings become text, never HTML).
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined) element.setAttribute(name, value);
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined));
  return element;
}

function show(...children) {
  main.replaceChildren(...children);
  main.focus();
}

function picture(links, alt) {
  if (!links) return h("img", { alt, src: "/icons/icon.svg" });
  return h("picture", {}, h("source", { type: "image/webp", srcset: links.webpSrcset, sizes: "(min-width: 700px) 33vw, 100vw" }),
    h("img", { alt, src: links.url, srcset: links.jpegSrcset, sizes: "(min-width: 700px) 33vw, 100vw", loading: "lazy" }));
}

async function home(params) {
  const query = params.get("q") ?? "";
  const input = h("input", { type: "search", name: "q", id: "q", value: query, autocomplete: "off" });
  const form = h("form", { class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    go(`/?q=${encodeURIComponent(input.value)}`);
  } }, h("label", { for: "q", class: "visually-hidden" }, t("searchLabel")), input, h("button", { type: "submit" }, t("search")));
  const results = h("ul", { class: "cards", "aria-label": t("search") });
  show(h("h1", {}, t("searchLabel")), form, results);
  const found = await api("GET", `/api/v1/search?q=${encodeURIComponent(query)}&limit=24`);
  if (found.items.length === 0) results.replaceWith(h("p", {}, t("noResults")));
  results.append(...found.items.map((hit) => h("li", { class: "card" }, h("a", { href: `/experiences/${hit.id.toLowerCase()}` },
    picture(hit.coverPhoto, hit.title),
    h("div", {}, h("h2", {}, hit.title), h("p", { class: "muted" }, `${hit.city} · ${hit.durationMinutes} ${t("minutes")}`),
      h("p", {}, `${t("from")} ${money(hit.price)}`))))));
}

async function experience(id) {
  const [found, photos] = await Promise.all([api("GET", `/api/v1/experiences/${id}`), api("GET", `/api/v1/experiences/${id}/photos`)]);
  show(h("article", {}, h("h1", {}, found.title),
    h("p", { class: "muted" }, `${found.location.city} · ${found.durationMinutes} ${t("minutes")} · ${money(found.price)}`),
    h("section", { class: "photos", "aria-label": `${t("photosOf")} ${found.title}` }, photos.items.map((photo) => picture(photo.links, found.title))),
    h("p", {}, found.description)));
}

function signInPage() {
  const error = h("p", { class: "error", role: "alert" });
  const fields = ["email", "password", "code"].map((name) => h("input", {
    id: name, name, required: name === "code" ? null : "", type: name === "code" ? "text" : name, inputmode: name === "code" ? "numeric" : null,
    autocomplete: { email: "username", password: "current-password", code: "one-time-code" }[name],
  }));
  show(h("h1", {}, t("signIn")), h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      await signIn(fields[0].value, fields[1].value, fields[2].value || undefined);
      renderAccount();
      go("/");
    } catch {
      error.textContent = t("wrongSignIn");
    }
  } }, ...fields.flatMap((field) => [h("label", { for: field.id }, t(field.name)), field]), h("button", { type: "submit" }, t("signIn")), error));
}

async function verifyEmail(params) {
  try {
    await api("POST", "/api/v1/auth/verify-email", { token: params.get("token") ?? "" });
    show(h("h1", {}, t("verified")), h("a", { href: "/sign-in" }, t("signIn")));
  } catch {
    show(h("h1", {}, t("badLink")));
  }
}

function resetPassword(params) {
  const password = h("input", { id: "password", type: "password", required: "", autocomplete: "new-password", minlength: "8" });
  const error = h("p", { class: "error", role: "alert" });
  show(h("h1", {}, t("newPassword")), h("form", { onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("POST", "/api/v1/auth/password-reset", { token: params.get("token") ?? "", password: password.value });
      show(h("h1", {}, t("passwordSaved")), h("a", { href: "/sign-in" }, t("signIn")));
    } catch (failure) {
      error.textContent = failure.problem?.errors?.[0]?.message ?? t("badLink");
    }
  } }, h("label", { for: "password" }, t("newPassword")), password, h("button", { type: "submit" }, t("savePassword")), error));
}

async function route() {
  const { pathname, searchParams } = new URL(location.href);
  const experienceMatch = pathname.match(/^\/experiences\/([0-9a-fA-F-]{36})$/);
  try {
    if (pathname === "/") await home(searchParams);
    else if (experienceMatch) await experience(experienceMatch[1]);
    else if (pathname === "/sign-in") signInPage();
    else if (pathname === "/verify-email") await verifyEmail(searchParams);
    else if (pathname === "/reset-password") resetPassword(searchParams);
    else show(h("h1", {}, t("notFound")));
  } catch (failure) {
    show(h("h1", {}, navigator.onLine ? t("notFound") : t("offline")), h("p", { class: "error" }, failure.message));
  }
}

function go(path) {
  history.pushState(null, "", path);
  route();
}

function renderAccount() {
  const link = document.getElementById("account");
  link.dataset.text = signedIn() ? "signOut" : "signIn";
  link.textContent = t(link.dataset.text);
}

document.addEventListener("click", async (event) => {
  const link = event.target.closest("a[href^='/']");
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  if (link.id === "account" && signedIn()) {
    await signOut();
    renderAccount();
    return go("/");
  }
  go(link.getAttribute("href"));
});
window.addEventListener("popstate", route);
const picker = document.getElementById("language");
picker.value = language;
picker.addEventListener("change", () => {
  setLanguage(picker.value);
  route();
});
setLanguage(language);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js");
resume().then(renderAccount);
route();

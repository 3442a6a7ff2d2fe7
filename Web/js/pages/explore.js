// Search: the box with its suggestions (an ARIA combobox), filters, facets and the list of hits.
import { api } from "../api.js";
import { field, h, show } from "../dom.js";
import { duration, money, t } from "../i18n.js";
import { go } from "../navigation.js";
import { picture } from "./photos.js";

/// The search box: suggestions from `/search/suggest` as the person types (debounced), chosen with the arrows
/// and Enter or with a click.
function searchBox(query, submit) {
  const input = h("input", {
    type: "search", name: "q", id: "q", value: query, autocomplete: "off", role: "combobox",
    "aria-autocomplete": "list", "aria-expanded": "false", "aria-controls": "suggestions",
  });
  const list = h("ul", { id: "suggestions", role: "listbox", class: "suggestions", hidden: true, "aria-label": t("suggestions") });
  let timer = null;
  let active = -1;
  const options = () => [...list.children];
  const close = () => {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  };
  const choose = (text) => {
    input.value = text;
    close();
    submit();
  };
  const highlight = (index) => {
    options().forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", options()[index].id);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const typed = input.value.trim();
    if (typed.length < 2) return close();
    timer = setTimeout(async () => {
      const { suggestions } = await api("GET", `/api/v1/search/suggest?q=${encodeURIComponent(typed)}&limit=6`).catch(() => ({ suggestions: [] }));
      if (input.value.trim() !== typed) return;
      list.replaceChildren(...suggestions.map((suggestion, index) => h("li", {
        id: `suggestion-${index}`, role: "option", "aria-selected": "false", onmousedown: (event) => {
          event.preventDefault();
          choose(suggestion.text);
        },
      }, suggestion.text, h("span", { class: "muted" }, ` · ${t(suggestion.kind)}`))));
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", String(suggestions.length > 0));
    }, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const count = options().length;
      highlight((active + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options()[active].firstChild.textContent);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
  return { input, element: h("div", { class: "combobox" }, h("label", { for: "q", class: "visually-hidden" }, t("searchLabel")), input, list) };
}

function filters(params, facets) {
  const categories = Object.entries(facets?.category ?? {});
  const category = h("select", { name: "category" }, h("option", { value: "" }, t("anyCategory")),
    categories.map(([name, count]) => h("option", { value: name, selected: params.get("category") === name }, `${t(name)} (${count})`)));
  const maxPrice = h("input", { name: "maxPrice", type: "number", min: "0", step: "50", inputmode: "numeric", value: params.get("maxPrice") ? params.get("maxPrice") / 100 : null });
  const date = h("input", { name: "date", type: "date", value: params.get("date") });
  const guests = h("input", { name: "guests", type: "number", min: "1", max: "100", value: params.get("guests") });
  const sort = h("select", { name: "sort" }, ["relevance", "price", "-price", "rating", "distance"].map((value) =>
    h("option", { value, selected: (params.get("sort") ?? "relevance") === value }, t(`sort.${value}`))));
  const near = h("input", { id: "near", name: "near", type: "checkbox", checked: params.has("lat") });
  return { category, maxPrice, date, guests, sort, near, element: h("fieldset", { class: "filters" }, h("legend", {}, t("filters")),
    field(t("category"), category), field(t("maxPrice"), maxPrice), field(t("date"), date), field(t("guests"), guests), field(t("sortBy"), sort),
    h("div", { class: "field check" }, near, h("label", { for: "near" }, t("nearMe")))) };
}

async function position() {
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    ({ coords }) => resolve({ lat: coords.latitude.toFixed(4), lng: coords.longitude.toFixed(4) }), () => resolve(null), { timeout: 8000 }));
}

export async function explore(params) {
  const query = params.get("q") ?? "";
  const results = h("section", { "aria-live": "polite", "aria-busy": "true" }, h("p", { class: "muted" }, t("loading")));
  let controls = null;
  const submit = async () => {
    const next = new URLSearchParams();
    if (box.input.value.trim()) next.set("q", box.input.value.trim());
    if (controls?.category.value) next.set("category", controls.category.value);
    if (controls?.maxPrice.value) next.set("maxPrice", String(Math.round(Number(controls.maxPrice.value) * 100)));
    if (controls?.date.value) next.set("date", controls.date.value);
    if (controls?.guests.value) next.set("guests", controls.guests.value);
    if (controls?.sort.value && controls.sort.value !== "relevance") next.set("sort", controls.sort.value);
    if (controls?.near.checked) {
      const here = params.has("lat") ? { lat: params.get("lat"), lng: params.get("lng") } : await position();
      if (here) {
        next.set("lat", here.lat);
        next.set("lng", here.lng);
        next.set("radiusKm", "50");
      }
    }
    go(`/?${next}`);
  };
  const box = searchBox(query, submit);
  const searchForm = h("form", { class: "search", role: "search", onsubmit: (event) => {
    event.preventDefault();
    submit();
  } }, box.element, h("button", { type: "submit" }, t("search")));
  show(h("h1", {}, t("searchLabel")), searchForm, results);

  const search = new URLSearchParams(params);
  search.set("limit", "24");
  const found = await api("GET", `/api/v1/search?${search}`);
  controls = filters(params, found.facets);
  controls.element.addEventListener("change", submit);
  searchForm.after(controls.element);
  results.setAttribute("aria-busy", "false");
  results.replaceChildren(
    h("p", { class: "muted" }, `${found.total} ${t("results")}`),
    found.items.length === 0 ? h("p", {}, t("noResults")) : h("ul", { class: "cards" }, found.items.map((hit) => h("li", { class: "card" },
      h("a", { href: `/experiences/${hit.id.toLowerCase()}` },
        picture(hit.coverPhoto, hit.title, "(min-width: 700px) 33vw, 100vw"),
        h("div", {},
          h("h2", {}, hit.title),
          h("p", { class: "muted" }, [hit.city, duration(hit.durationMinutes), hit.distanceKm != null ? `${hit.distanceKm.toFixed(0)} km` : null].filter(Boolean).join(" · ")),
          hit.rating?.count ? h("p", {}, `★ ${hit.rating.average.toFixed(1)} (${hit.rating.count})`) : null,
          h("p", { class: "price" }, `${t("from")} ${money(hit.price)}`)))))));
}

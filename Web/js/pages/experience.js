// An experience: photos, description, reviews, and the calendar of its open slots, from which a signed-in
// traveler books (the price shown before) or writes to the provider.
import { api, idempotencyKey, signedIn, user } from "../api.js";
import { field, form, h, problemText, show } from "../dom.js";
import { date, duration, money, t, time } from "../i18n.js";
import { go } from "../navigation.js";
import { picture } from "./photos.js";

/// The open slots grouped by local day: a day's button shows its times; a time is the choice.
function calendar(slots, timeZone, chosen) {
  const days = new Map();
  for (const slot of slots) {
    const day = date(slot.startsAt, timeZone);
    if (!days.has(day)) days.set(day, []);
    days.get(day).push(slot);
  }
  if (days.size === 0) return h("p", {}, t("noSlots"));
  return h("fieldset", { class: "calendar" }, h("legend", {}, t("chooseTime")),
    [...days].map(([day, daySlots]) => h("div", { class: "day" }, h("h3", {}, day), h("div", { class: "times" },
      daySlots.map((slot) => {
        const id = `slot-${slot.id}`;
        return h("span", { class: "time" },
          h("input", { type: "radio", name: "slotId", id, value: slot.id, required: true, onchange: () => chosen(slot) }),
          h("label", { for: id }, `${time(slot.startsAt, timeZone)} · ${slot.remaining} ${t("left")}`));
      })))));
}

function reviewList(reviews) {
  if (reviews.length === 0) return h("p", { class: "muted" }, t("noReviews"));
  return h("ul", { class: "reviews" }, reviews.map((review) => h("li", {},
    h("p", { "aria-label": `${review.rating} / 5` }, "★".repeat(review.rating) + "☆".repeat(5 - review.rating)),
    h("p", {}, review.comment),
    review.photos?.length ? h("div", { class: "photos small" }, review.photos.map((links) => picture(links, t("reviewPhoto"), "120px"))) : null,
    review.reply ? h("p", { class: "reply" }, h("strong", {}, `${t("providerReply")}: `), review.reply) : null)));
}

export async function experience(id) {
  const [found, photos, reviews] = await Promise.all([
    api("GET", `/api/v1/experiences/${id}`),
    api("GET", `/api/v1/experiences/${id}/photos`),
    api("GET", `/api/v1/experiences/${id}/reviews?limit=20`),
  ]);
  const guests = h("input", { name: "guests", type: "number", min: "1", max: String(found.maxGuests), value: "1", required: true });
  const total = h("p", { class: "price", "aria-live": "polite" });
  const slotsArea = h("div", {});
  let slot = null;
  const keys = new Map();
  const refreshTotal = () => {
    const count = Number(guests.value) || 1;
    total.textContent = `${t("total")}: ${money({ amount: found.price.amount * count, currency: found.price.currency })}`;
  };
  const loadSlots = async () => {
    const { slots, timeZone } = await api("GET", `/api/v1/experiences/${id}/availability?guests=${Number(guests.value) || 1}`);
    slot = null;
    slotsArea.replaceChildren(calendar(slots.filter((open) => open.status === "open"), timeZone, (chosen) => { slot = chosen; }));
  };
  guests.addEventListener("change", () => {
    refreshTotal();
    loadSlots();
  });
  refreshTotal();

  const booking = form({ class: "book", "aria-label": t("book") }, [
    field(t("guests"), guests, `${t("upTo")} ${found.maxGuests}`), slotsArea, total,
    h("p", { class: "muted" }, `${t(`policy.${found.cancellationPolicy}`)} · ${t(found.bookingMode === "instant" ? "instantBook" : "requestToBook")}`),
    h("button", { type: "submit" }, t("book")),
  ], async () => {
    if (!signedIn()) return go(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
    if (!slot) throw new Error(t("chooseTime"));
    // Sent again after a lost answer, the same booking keeps its key, so it is made once.
    const body = { slotId: slot.id, guests: Number(guests.value) };
    const signature = JSON.stringify(body);
    if (!keys.has(signature)) keys.set(signature, idempotencyKey());
    const made = await api("POST", "/api/v1/bookings", body, { "Idempotency-Key": keys.get(signature) });
    go(`/bookings/${made.id}`);
  });
  const message = h("button", { type: "button", class: "secondary", onclick: async () => {
    if (!signedIn()) return go(`/sign-in?next=${encodeURIComponent(location.pathname)}`);
    try {
      const conversation = await api("POST", "/api/v1/conversations", { experienceId: found.id });
      go(`/messages/${conversation.id}`);
    } catch (failure) {
      message.after(h("p", { class: "error", role: "alert" }, problemText(failure)));
    }
  } }, t("messageProvider"));
  const own = user()?.id === found.providerId;

  show(h("article", { class: "experience" },
    h("h1", {}, found.title),
    h("p", { class: "muted" }, [found.location.city, duration(found.durationMinutes), money(found.price) + ` ${t("perPerson")}`,
      found.rating?.count ? `★ ${found.rating.average.toFixed(1)} (${found.rating.count} ${t("reviews")})` : null].filter(Boolean).join(" · ")),
    photos.items.length ? h("section", { class: "photos", "aria-label": `${t("photosOf")} ${found.title}` },
      photos.items.filter((photo) => photo.links).map((photo) => picture(photo.links, found.title, "(min-width: 700px) 33vw, 100vw"))) : null,
    h("p", {}, found.description),
    h("p", {}, h("a", { href: `/providers/${found.providerId}` }, t("aboutProvider"))),
    own ? h("p", {}, h("a", { href: `/provider/experiences/${found.id}` }, t("edit"))) : h("section", { "aria-labelledby": "book-heading" },
      h("h2", { id: "book-heading" }, t("book")), booking, message),
    h("section", { "aria-labelledby": "reviews-heading" }, h("h2", { id: "reviews-heading" }, t("reviewsTitle")), reviewList(reviews.items))));
  if (!own) await loadSlots();
}

/// A provider's public page.
export async function provider(id) {
  const page = await api("GET", `/api/v1/providers/${id}`);
  show(h("article", {},
    page.avatarUrl ? h("img", { class: "avatar", src: page.avatarUrl, alt: "" }) : null,
    h("h1", {}, page.name),
    h("p", { class: "muted" }, [page.city, page.languages.join(", "), `${t("memberSince")} ${date(page.memberSince)}`,
      page.rating.count ? `★ ${page.rating.average.toFixed(1)} (${page.rating.count})` : null,
      page.responseRate != null ? `${t("responseRate")} ${Math.round(page.responseRate * 100)} %` : null].filter(Boolean).join(" · ")),
    h("p", {}, page.bio[document.documentElement.lang] ?? page.bio.en ?? ""),
    h("h2", {}, t("experiences")),
    h("ul", { class: "links" }, page.experiences.map((listing) => h("li", {}, h("a", { href: `/experiences/${listing.id}` }, listing.title))))));
}

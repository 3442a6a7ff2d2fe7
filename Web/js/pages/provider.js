// Providers: their experiences (create, schedule, publish, archive), the bookings on them (accept or decline a
// request), payouts (onboarding, balance, payouts) and the calendar feed.
import { api, user } from "../api.js";
import { field, form, h, problemText, show } from "../dom.js";
import { dateTime, instantIn, money, t } from "../i18n.js";
import { go } from "../navigation.js";

function answerButtons(booking, reload) {
  const act = (verb, label, kind) => h("button", { type: "button", class: kind, onclick: async (event) => {
    event.target.disabled = true;
    try {
      await api("POST", `/api/v1/bookings/${booking.id}/${verb}`, {});
    } finally {
      reload();
    }
  } }, label);
  return booking.status === "awaiting_provider" ? [act("accept", t("accept"), ""), act("decline", t("decline"), "secondary")] : [];
}

export async function providerHome() {
  const me = user();
  const [listings, incoming, balance, payouts, calendar] = await Promise.all([
    api("GET", `/api/v1/experiences?providerId=${me.id}&limit=50`),
    api("GET", "/api/v1/bookings?role=provider&limit=50"),
    api("GET", "/api/v1/payouts/balance"),
    api("GET", "/api/v1/payouts?limit=10").catch(() => ({ items: [] })),
    api("GET", "/api/v1/providers/me/calendar"),
  ]);
  const titles = new Map(listings.items.map((listing) => [listing.id, listing]));
  const onboard = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      const { url } = await api("POST", "/api/v1/payouts/onboarding");
      location.assign(url);
    } catch (failure) {
      onboard.after(h("p", { class: "error", role: "alert" }, problemText(failure)));
    }
  } }, t("setUpPayouts"));
  show(h("h1", {}, t("hosting")),
    h("p", {}, h("a", { class: "button", href: "/provider/experiences/new" }, t("newExperience"))),
    h("section", { "aria-labelledby": "mine" }, h("h2", { id: "mine" }, t("myExperiences")),
      listings.items.length === 0 ? h("p", {}, t("noExperiences")) : h("ul", { class: "list" }, listings.items.map((listing) => h("li", {},
        h("a", { href: `/provider/experiences/${listing.id}` }, listing.title), h("span", { class: "muted" }, ` · ${t(`experienceStatus.${listing.status}`)}`))))),
    h("section", { "aria-labelledby": "incoming" }, h("h2", { id: "incoming" }, t("incomingBookings")),
      incoming.items.length === 0 ? h("p", {}, t("noBookings")) : h("ul", { class: "list" }, incoming.items.map((booking) => {
        const listing = titles.get(booking.experienceId);
        return h("li", { "data-booking": booking.id },
          h("span", {}, `${listing?.title ?? ""} · ${dateTime(booking.startsAt, listing?.timeZone)} · ${t("guests")}: ${booking.guests} · ${money(booking.total)} · `),
          h("span", { class: `status ${booking.status}` }, t(`status.${booking.status}`)), " ", answerButtons(booking, providerHome));
      }))),
    h("section", { "aria-labelledby": "money" }, h("h2", { id: "money" }, t("payouts")),
      h("p", {}, `${t("balance")}: ${balance.balances.length ? balance.balances.map(money).join(", ") : money({ amount: 0, currency: "MXN" })}`), onboard,
      h("ul", { class: "list" }, payouts.items.map((payout) => h("li", {}, `${dateTime(payout.createdAt)} · ${money(payout.amount)} · ${payout.status}`)))),
    h("section", { "aria-labelledby": "calendar" }, h("h2", { id: "calendar" }, t("calendarFeed")),
      h("p", {}, t("calendarFeedText")), h("input", { readonly: true, value: calendar.feedUrl, "aria-label": t("calendarFeed"), class: "wide" }),
      h("ul", {}, calendar.imports.map((entry) => h("li", {}, entry.url, entry.lastError ? h("span", { class: "error" }, ` · ${entry.lastError}`) : null, " ",
        h("button", { type: "button", class: "secondary", onclick: async () => {
          await api("DELETE", `/api/v1/providers/me/calendar/imports/${entry.id}`);
          providerHome();
        } }, t("remove"))))),
      importForm()));
}

/// Another calendar whose busy times block this provider's dates (their other bookings, a day off).
function importForm() {
  const url = h("input", { name: "url", type: "url", required: true, placeholder: "https://calendar.example.com/busy.ics" });
  return form({ "aria-label": t("importCalendar") }, [field(t("importCalendar"), url), h("button", { type: "submit" }, t("add"))], async () => {
    await api("POST", "/api/v1/providers/me/calendar/imports", { url: url.value });
    providerHome();
  });
}

const weekdayNames = () => [1, 2, 3, 4, 5, 6, 7].map((day) => new Intl.DateTimeFormat(document.documentElement.lang, { weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, day))));

function experienceForm(existing, submit) {
  const text = (name, value, extra = {}) => h("input", { name, value: value ?? "", required: true, ...extra });
  const title = text("title", existing?.title, { maxlength: "120" });
  const description = h("textarea", { name: "description", required: true, rows: "4", maxlength: "5000" }, existing?.description ?? "");
  const category = h("select", { name: "category" }, ["nature", "food", "culture", "adventure", "wellness"].map((value) => h("option", { value, selected: existing?.category === value }, t(value))));
  const city = text("location.city", existing?.location.city);
  const latitude = text("location.latitude", existing?.location.latitude, { type: "number", step: "any", min: "-90", max: "90" });
  const longitude = text("location.longitude", existing?.location.longitude, { type: "number", step: "any", min: "-180", max: "180" });
  const country = text("location.country", existing?.location.country ?? "MX", { maxlength: "2", pattern: "[A-Z]{2}" });
  const zone = text("timeZone", existing?.timeZone ?? "America/Merida");
  const minutes = text("durationMinutes", existing?.durationMinutes ?? 120, { type: "number", min: "15", max: "10080" });
  const price = text("price.amount", existing ? existing.price.amount / 100 : "", { type: "number", min: "1", step: "0.01" });
  const currency = text("price.currency", existing?.price.currency ?? "MXN", { maxlength: "3", pattern: "[A-Z]{3}" });
  const guests = text("maxGuests", existing?.maxGuests ?? 8, { type: "number", min: "1", max: "100" });
  const mode = h("select", { name: "bookingMode" }, ["instant", "request"].map((value) => h("option", { value, selected: existing?.bookingMode === value }, t(value === "instant" ? "instantBook" : "requestToBook"))));
  const policy = h("select", { name: "cancellationPolicy" }, ["flexible", "moderate", "strict"].map((value) => h("option", { value, selected: existing?.cancellationPolicy === value }, t(`policy.${value}`))));
  const languages = text("languages", (existing?.languages ?? ["es", "en"]).join(", "), { pattern: "[a-z]{2}(, ?[a-z]{2})*" });
  return form({ "aria-label": t("experience") }, [
    field(t("title"), title), field(t("description"), description), field(t("category"), category),
    h("fieldset", {}, h("legend", {}, t("where")), field(t("city"), city), field(t("latitude"), latitude), field(t("longitude"), longitude), field(t("country"), country), field(t("timeZone"), zone)),
    field(t("durationMinutes"), minutes), field(`${t("pricePerPerson")} (${t("major")})`, price), field(t("currency"), currency), field(t("maxGuests"), guests),
    field(t("bookingMode"), mode), field(t("cancellationPolicy"), policy), field(t("languages"), languages, "es, en"),
    h("button", { type: "submit" }, existing ? t("save") : t("createExperience")),
  ], () => submit({
    title: title.value, description: description.value, category: category.value,
    location: { city: city.value, latitude: Number(latitude.value), longitude: Number(longitude.value), country: country.value },
    timeZone: zone.value, durationMinutes: Number(minutes.value), price: { amount: Math.round(Number(price.value) * 100), currency: currency.value },
    maxGuests: Number(guests.value), bookingMode: mode.value, cancellationPolicy: policy.value,
    languages: languages.value.split(",").map((code) => code.trim()).filter(Boolean),
  }));
}

export function newExperience() {
  show(h("h1", {}, t("newExperience")), experienceForm(null, async (body) => {
    const made = await api("POST", "/api/v1/experiences", body);
    go(`/provider/experiences/${made.id}`, { replace: true });
  }));
}

function scheduleForm(id, done) {
  const days = weekdayNames().map((name, index) => h("span", { class: "check" },
    h("input", { type: "checkbox", id: `day-${index + 1}`, name: "weekdays", value: String(index + 1) }), h("label", { for: `day-${index + 1}` }, name)));
  const times = h("input", { name: "startTimes", required: true, value: "09:00", pattern: "([01]\\d|2[0-3]):[0-5]\\d(, ?([01]\\d|2[0-3]):[0-5]\\d)*" });
  const today = new Date();
  const iso = (offset) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const from = h("input", { name: "from", type: "date", required: true, value: iso(1) });
  const until = h("input", { name: "until", type: "date", required: true, value: iso(60) });
  const capacity = h("input", { name: "capacity", type: "number", min: "1", max: "10000", required: true, value: "8" });
  return form({ "aria-label": t("weeklySchedule") }, [
    h("h2", {}, t("weeklySchedule")), h("fieldset", { class: "days" }, h("legend", {}, t("weekdays")), days),
    field(t("startTimes"), times, "09:00, 14:30"), field(t("from"), from), field(t("until"), until), field(t("capacity"), capacity),
    h("button", { type: "submit" }, t("addSchedule")),
  ], async (element) => {
    const weekdays = [...element.querySelectorAll("input[name=weekdays]:checked")].map((box) => Number(box.value));
    if (weekdays.length === 0) throw new Error(t("chooseWeekdays"));
    const made = await api("POST", `/api/v1/experiences/${id}/schedules`, {
      weekdays, startTimes: times.value.split(",").map((value) => value.trim()), from: from.value, until: until.value, capacity: Number(capacity.value),
    });
    done(made);
  });
}

/// One date outside any schedule, typed in the experience's time zone.
function slotForm(found, done) {
  const day = h("input", { name: "date", type: "date", required: true });
  const clock = h("input", { name: "time", type: "time", required: true, value: "09:00" });
  const capacity = h("input", { name: "capacity", type: "number", min: "1", max: "10000", required: true, value: "8" });
  return form({ "aria-label": t("oneDate") }, [
    h("h2", {}, t("oneDate")), field(`${t("date")} (${found.timeZone})`, day), field(t("time"), clock), field(t("capacity"), capacity),
    h("button", { type: "submit" }, t("addDate")),
  ], async () => {
    await api("POST", `/api/v1/experiences/${found.id}/slots`, { startsAt: instantIn(found.timeZone, day.value, clock.value), capacity: Number(capacity.value) });
    done();
  });
}

/// The open dates; cancelling one cancels its bookings as the provider's, refunded in full.
function slotList(found, slots, done) {
  return h("section", { "aria-labelledby": "dates" }, h("h2", { id: "dates" }, t("openDates")), h("p", { class: "muted" }, t("cancelDateText")),
    h("ul", { class: "list" }, slots.map((slot) => h("li", {}, `${dateTime(slot.startsAt, found.timeZone)} · ${slot.remaining}/${slot.capacity} ${t("left")} `,
      h("button", { type: "button", class: "secondary", onclick: async (event) => {
        event.target.disabled = true;
        await api("DELETE", `/api/v1/experiences/${found.id}/slots/${slot.id}`);
        done();
      } }, t("cancelDate"))))));
}

function reviewReplies(reviews, done) {
  return h("section", { "aria-labelledby": "their-reviews" }, h("h2", { id: "their-reviews" }, t("reviewsTitle")),
    reviews.length === 0 ? h("p", { class: "muted" }, t("noReviews")) : h("ul", { class: "list" }, reviews.map((review) => {
      const reply = h("textarea", { name: "reply", rows: "2", required: true, maxlength: "2000" });
      return h("li", {}, h("p", {}, `${"★".repeat(review.rating)} ${review.comment}`), review.reply ? h("p", { class: "reply" }, `${t("providerReply")}: ${review.reply}`) :
        form({ "aria-label": t("reply") }, [field(t("reply"), reply), h("button", { type: "submit" }, t("send"))], async () => {
          await api("POST", `/api/v1/reviews/${review.id}/reply`, { reply: reply.value });
          done();
        }));
    })));
}

export async function editExperience(id) {
  const [found, availability, reviews] = await Promise.all([
    api("GET", `/api/v1/experiences/${id}`), api("GET", `/api/v1/experiences/${id}/availability`), api("GET", `/api/v1/experiences/${id}/reviews?limit=50`),
  ]);
  const again = () => editExperience(id);
  const lifecycle = (verb, label) => h("button", { type: "button", class: verb === "archive" ? "secondary" : "", onclick: async () => {
    await api("POST", `/api/v1/experiences/${id}/${verb}`);
    editExperience(id);
  } }, label);
  const status = h("p", { role: "status" });
  show(h("h1", {}, found.title),
    h("p", {}, `${t("statusLabel")}: `, h("strong", { id: "experience-status" }, t(`experienceStatus.${found.status}`)), " ",
      found.status === "draft" ? lifecycle("publish", t("publish")) : null, found.status === "published" ? lifecycle("archive", t("archive")) : null,
      found.status === "published" ? [" ", h("a", { href: `/experiences/${id}` }, t("viewListing"))] : null),
    h("p", { class: "muted" }, `${availability.slots.length} ${t("openSlots")}`),
    scheduleForm(id, (made) => {
      status.textContent = `${made.slotsCreated} ${t("slotsCreated")}`;
    }), status,
    slotForm(found, again), slotList(found, availability.slots, again), reviewReplies(reviews.items, again),
    h("h2", {}, t("edit")),
    experienceForm(found, async (body) => {
      await api("PATCH", `/api/v1/experiences/${id}`, body);
      status.textContent = t("saved");
    }));
}

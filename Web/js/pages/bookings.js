// A traveler's bookings (kept by the service worker for offline reading) and one booking: pay it, see it
// confirmed, cancel it with the refund shown first, review it once completed, write to the provider.
import { api, idempotencyKey } from "../api.js";
import { field, form, h, problemText, show } from "../dom.js";
import { dateTime, language, money, t } from "../i18n.js";
import { go } from "../navigation.js";

const experiences = new Map();

/// An experience once per page view of many bookings; a failed fetch is not kept.
async function experienceOf(booking) {
  const id = booking.experienceId;
  if (!experiences.has(id)) experiences.set(id, api("GET", `/api/v1/experiences/${id}`).catch((failure) => {
    experiences.delete(id);
    throw failure;
  }));
  return experiences.get(id);
}

function status(booking) {
  return h("span", { class: `status ${booking.status}` }, t(`status.${booking.status}`));
}

export async function bookings() {
  const page = await api("GET", "/api/v1/bookings?limit=50");
  const listings = await Promise.all(page.items.map((booking) => experienceOf(booking).catch(() => null)));
  show(h("h1", {}, t("myBookings")), page.items.length === 0 ? h("p", {}, t("noBookings"), " ", h("a", { href: "/" }, t("explore"))) :
    h("ul", { class: "list" }, page.items.map((booking, index) => h("li", {},
      h("a", { href: `/bookings/${booking.id}` }, listings[index]?.title ?? t("booking")),
      h("span", { class: "muted" }, ` · ${dateTime(booking.startsAt, listings[index]?.timeZone)} · ${t("guests")}: ${booking.guests} · ${money(booking.total)} · `),
      status(booking)))));
}

/// The local provider's card form (development); Stripe's Payment Element takes its place in production.
function cardForm(payment, paid) {
  const number = h("input", { name: "number", inputmode: "numeric", autocomplete: "cc-number", required: true, placeholder: "4242 4242 4242 4242" });
  const expiry = h("input", { name: "expiry", autocomplete: "cc-exp", required: true, placeholder: "12/30", pattern: "\\d{1,2}/\\d{2}" });
  const cvc = h("input", { name: "cvc", inputmode: "numeric", autocomplete: "cc-csc", required: true, pattern: "\\d{3,4}" });
  const keys = new Map();
  const element = form({ class: "card-form", "aria-label": t("pay") }, [
    h("p", { class: "price" }, `${t("toPay")}: ${money(payment.amount)}`),
    field(t("cardNumber"), number, t("testCards")), field(t("expiry"), expiry), field(t("cvc"), cvc),
    h("button", { type: "submit" }, `${t("pay")} ${money(payment.amount)}`),
  ], async () => {
    const [month, year] = expiry.value.split("/").map(Number);
    const card = { number: number.value, expMonth: month, expYear: 2000 + year, cvc: cvc.value };
    // One key per card tried: sent again after a lost answer, the same card is not charged twice.
    const signature = JSON.stringify(card);
    if (!keys.has(signature)) keys.set(signature, idempotencyKey());
    const answer = await api("POST", `/api/v1/payments/${payment.id}/confirm`, { card }, { "Idempotency-Key": keys.get(signature) });
    if (answer.status === "failed") throw new Error(answer.lastError ?? t("declined"));
    if (answer.status === "requires_action") return element.replaceWith(bankCheck(payment, paid));
    await paid();
  });
  return element;
}

/// The local provider's stand-in for the bank's 3-D Secure page: the traveler approves the payment (or not).
function bankCheck(payment, paid) {
  const answer = (approve) => async (event) => {
    event.target.disabled = true;
    await api("POST", `/api/v1/payments/${payment.id}/authenticate`, { approve }, { "Idempotency-Key": idempotencyKey() });
    await paid();
  };
  return h("div", { class: "notice", role: "alertdialog", "aria-labelledby": "bank" }, h("p", { id: "bank" }, t("bankAsks")),
    h("button", { type: "button", onclick: answer(true) }, t("approve")), h("button", { type: "button", class: "secondary", onclick: answer(false) }, t("refuse")));
}

let clientSettings = null;

/// Which card form to show: the local provider's (development) or Stripe's.
function paymentSettings() {
  clientSettings ??= api("GET", "/api/v1/payments/config");
  return clientSettings;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) return resolve();
    document.head.append(h("script", { src, onload: resolve, onerror: () => reject(new Error(t("failed"))) }));
  });
}

/// Stripe's Payment Element: the card goes from Stripe's frame to Stripe, never through MayaGo, which hears of the
/// result by webhook; Stripe brings the traveler back to the booking (after 3-D Secure when the bank asks).
async function stripeForm(payment, publishableKey, bookingID) {
  await loadScript("https://js.stripe.com/v3/");
  const stripe = window.Stripe(publishableKey, { locale: language });
  const elements = stripe.elements({ clientSecret: payment.clientSecret });
  const mount = h("div", { class: "stripe-element" });
  setTimeout(() => elements.create("payment").mount(mount));
  return form({ class: "card-form", "aria-label": t("pay") }, [
    h("p", { class: "price" }, `${t("toPay")}: ${money(payment.amount)}`), mount, h("button", { type: "submit" }, `${t("pay")} ${money(payment.amount)}`),
  ], async () => {
    const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: `${location.origin}/bookings/${bookingID}` } });
    if (error) throw new Error(error.message);
  });
}

/// Payment makes the booking's payment when Booking asks it (through the outbox): wait a moment for it.
async function paymentOf(bookingID) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const { items } = await api("GET", `/api/v1/payments?bookingId=${bookingID}`);
    if (items.length) return items[0];
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

async function settled(id) {
  for (let attempt = 0; attempt < 30; attempt++) {
    const booking = await api("GET", `/api/v1/bookings/${id}`);
    if (booking.status !== "pending_payment") return booking;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function cancelSection(booking) {
  const area = h("div", {});
  const ask = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      const quote = await api("GET", `/api/v1/bookings/${booking.id}/cancellation`);
      const confirm = h("button", { type: "button", class: "danger", onclick: async () => {
        confirm.disabled = true;
        try {
          await api("POST", `/api/v1/bookings/${booking.id}/cancel`, {});
          go(`/bookings/${booking.id}`, { replace: true });
        } catch (failure) {
          area.append(h("p", { class: "error", role: "alert" }, problemText(failure)));
        }
      } }, t("confirmCancel"));
      area.replaceChildren(h("div", { class: "notice", role: "alertdialog", "aria-labelledby": "quote" },
        h("p", { id: "quote" }, `${t("refundWillBe")} ${money(quote.refund)} ${t("of")} ${money(quote.paid)} (${t(`policy.${quote.cancellationPolicy}`)}).`),
        confirm, h("button", { type: "button", class: "secondary", onclick: () => area.replaceChildren() }, t("keepBooking"))));
      confirm.focus();
    } catch (failure) {
      area.replaceChildren(h("p", { class: "error", role: "alert" }, problemText(failure)));
    }
  } }, t("cancelBooking"));
  return h("section", {}, ask, area);
}

function reviewForm(booking) {
  const rating = h("select", { name: "rating", required: true }, [5, 4, 3, 2, 1].map((value) => h("option", { value }, "★".repeat(value))));
  const comment = h("textarea", { name: "comment", required: true, maxlength: "2000", rows: "3" });
  return form({ "aria-label": t("writeReview") }, [
    h("h2", {}, t("writeReview")), field(t("rating"), rating), field(t("comment"), comment), h("button", { type: "submit" }, t("send")),
  ], async (element) => {
    await api("POST", `/api/v1/bookings/${booking.id}/review`, { rating: Number(rating.value), comment: comment.value });
    element.replaceWith(h("p", { role: "status" }, t("thanksForReview")));
  });
}

export async function booking(id) {
  let found = await api("GET", `/api/v1/bookings/${id}`);
  // Back from Stripe with the payment made: the webhook confirms it in a moment.
  if (found.status === "pending_payment" && new URLSearchParams(location.search).get("redirect_status") === "succeeded") found = (await settled(id)) ?? found;
  const listing = await experienceOf(found);
  const zone = listing.timeZone;
  const parts = [
    h("h1", {}, listing.title),
    h("p", {}, status(found)),
    h("dl", { class: "facts" },
      h("dt", {}, t("when")), h("dd", {}, `${dateTime(found.startsAt, zone)} (${zone})`),
      h("dt", {}, t("guests")), h("dd", {}, String(found.guests)),
      h("dt", {}, t("total")), h("dd", {}, money(found.total)),
      found.refunded.amount > 0 ? [h("dt", {}, t("refunded")), h("dd", {}, money(found.refunded))] : null),
  ];
  if (found.status === "pending_payment") {
    const [payment, settings] = await Promise.all([paymentOf(found.id), paymentSettings()]);
    if (!payment) parts.push(h("p", { class: "error" }, t("paymentNotReady")));
    else if (settings.provider === "stripe") parts.push(await stripeForm(payment, settings.publishableKey, found.id));
    else parts.push(cardForm(payment, async () => {
      await settled(found.id);
      go(`/bookings/${found.id}`, { replace: true });
    }));
  }
  if (["pending_payment", "awaiting_provider", "confirmed"].includes(found.status) && new Date(found.startsAt) > new Date()) parts.push(cancelSection(found));
  if (found.status === "completed") parts.push(reviewForm(found));
  parts.push(h("button", { type: "button", class: "secondary", onclick: async () => {
    const conversation = await api("POST", "/api/v1/conversations", { experienceId: found.experienceId, bookingId: found.id });
    go(`/messages/${conversation.id}`);
  } }, t("messageProvider")));
  show(...parts);
}

// The app's shell: the header's navigation for who is signed in, the language picker, and the router that maps
// each path to its page. Links inside the app move without reloading.
import { hadSession, onSessionChange, resume, signedIn, signOut, user } from "./api.js";
import { h, isNetworkFailure, show } from "./dom.js";
import { language, setLanguage, t } from "./i18n.js";
import { go, setRouter } from "./navigation.js";
import { resetPassword, signInPage, signUpPage, verifyEmail, confirmEmail, forgotPassword, preferences } from "./pages/account.js";
import { admin } from "./pages/admin.js";
import { booking, bookings } from "./pages/bookings.js";
import { experience, provider } from "./pages/experience.js";
import { explore } from "./pages/explore.js";
import { inbox } from "./pages/inbox.js";
import { conversation, conversations, leaveConversation } from "./pages/messages.js";
import { editExperience, newExperience, providerHome } from "./pages/provider.js";

const id = "([0-9a-fA-F-]{36})";
/// Each page: its path, whether it needs a session (and which role), and what draws it.
const pages = [
  { path: /^\/$/, draw: (_, params) => explore(params) },
  { path: new RegExp(`^/experiences/${id}$`), draw: ([experienceID]) => experience(experienceID) },
  { path: new RegExp(`^/providers/${id}$`), draw: ([providerID]) => provider(providerID) },
  { path: /^\/sign-in$/, draw: (_, params) => signInPage(params) },
  { path: /^\/sign-up$/, draw: () => signUpPage() },
  { path: /^\/forgot-password$/, draw: () => forgotPassword() },
  { path: /^\/verify-email$/, draw: (_, params) => verifyEmail(params) },
  { path: /^\/confirm-email$/, draw: (_, params) => confirmEmail(params) },
  { path: /^\/reset-password$/, draw: (_, params) => resetPassword(params) },
  // Offline, the bookings the service worker kept are shown to whoever was signed in here.
  { path: /^\/bookings$/, session: "offline", draw: () => bookings() },
  { path: new RegExp(`^/bookings/${id}$`), session: true, draw: ([bookingID]) => booking(bookingID) },
  { path: /^\/messages$/, session: true, draw: () => conversations() },
  { path: new RegExp(`^/messages/${id}$`), session: true, draw: ([conversationID]) => conversation(conversationID) },
  { path: /^\/inbox$/, session: true, draw: () => inbox() },
  { path: /^\/account$/, session: true, draw: () => preferences() },
  { path: /^\/provider(\/payouts)?$/, session: true, role: "provider", draw: () => providerHome() },
  { path: /^\/provider\/experiences\/new$/, session: true, role: "provider", draw: () => newExperience() },
  { path: new RegExp(`^/provider/experiences/${id}$`), session: true, role: "provider", draw: ([experienceID]) => editExperience(experienceID) },
  { path: /^\/admin$/, session: true, role: "admin", draw: (_, params) => admin(params) },
];

async function route() {
  leaveConversation();
  const { pathname, searchParams } = new URL(location.href);
  const page = pages.find((candidate) => candidate.path.test(pathname));
  try {
    if (!page) return show(h("h1", {}, t("notFound")), h("p", {}, h("a", { href: "/" }, t("explore"))));
    // A session that could not be renewed for want of a network is still this person's (a refused one is gone).
    const allowed = signedIn() || (page.session === "offline" && hadSession());
    if (page.session && !allowed) return go(`/sign-in?next=${encodeURIComponent(pathname + location.search)}`, { replace: true });
    if (page.role && user() && user().role !== page.role && user().role !== "admin") return show(h("h1", {}, t("notAllowed")));
    await page.draw(pathname.match(page.path).slice(1), searchParams);
  } catch (failure) {
    const offline = isNetworkFailure(failure);
    show(h("h1", {}, offline ? t("offline") : failure.status === 404 ? t("notFound") : t("failed")), h("p", { class: "error" }, offline ? t("offlineText") : failure.message));
  }
}

/// The header's links for the person signed in (or for a visitor).
function renderNavigation() {
  const me = user();
  const link = (href, key) => h("a", { href, "data-text": key }, t(key));
  const links = [link("/", "explore")];
  if (me) {
    links.push(link("/bookings", "myBookings"), link("/messages", "messages"), link("/inbox", "inbox"));
    if (me.role === "provider" || me.role === "admin") links.push(link("/provider", "hosting"));
    if (me.role === "admin") links.push(link("/admin", "admin"));
    links.push(link("/account", "account"), h("button", { type: "button", class: "link", "data-text": "signOut", onclick: async () => {
      await signOut();
      go("/");
    } }, t("signOut")));
  } else {
    links.push(link("/sign-in", "signIn"), link("/sign-up", "signUp"));
  }
  document.getElementById("navigation").replaceChildren(...links);
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href^='/']");
  if (!link || link.target || link.hasAttribute("download") || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  if (link.getAttribute("href").startsWith("/api/")) return;
  event.preventDefault();
  go(link.getAttribute("href"));
});
window.addEventListener("popstate", route);
const picker = document.getElementById("language");
picker.value = language;
picker.addEventListener("change", () => {
  setLanguage(picker.value);
  renderNavigation();
  route();
});
setLanguage(language);
setRouter(route);
onSessionChange(renderNavigation);
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => null);
renderNavigation();
resume().finally(route);

// Signing up, in and out; the pages the mails link to (verify, reset, confirm a new address); preferences.
import { api, signIn, signOut, user } from "../api.js";
import { field, form, h, show } from "../dom.js";
import { language, setLanguage, t } from "../i18n.js";
import { go } from "../navigation.js";

const input = (name, type, autocomplete, extra = {}) => h("input", { name, type, autocomplete, required: true, ...extra });

export function signInPage(params) {
  const email = input("email", "email", "username");
  const password = input("password", "password", "current-password");
  const code = h("input", { name: "totpCode", type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "\\d{6}" });
  const codeField = field(t("code"), code);
  codeField.hidden = true;
  show(h("h1", {}, t("signIn")), form({ "aria-label": t("signIn") }, [
    field(t("email"), email), field(t("password"), password), codeField, h("button", { type: "submit" }, t("signIn")),
  ], async () => {
    try {
      await signIn(email.value, password.value, code.value || undefined);
    } catch (failure) {
      if (failure.problem?.code === "totp_required") {
        codeField.hidden = false;
        code.focus();
        throw new Error(t("enterCode"));
      }
      // A wrong second factor says so; a wrong email or password is not told apart from the other.
      throw failure.status === 401 && !failure.problem?.code?.startsWith("totp") ? new Error(t("wrongSignIn")) : failure;
    }
    const next = params.get("next");
    go(next?.startsWith("/") && !next.startsWith("//") ? next : "/", { replace: true });
  }), h("p", {}, h("a", { href: "/sign-up" }, t("signUp")), " · ", h("a", { href: "/forgot-password" }, t("forgotPassword"))));
}

export function signUpPage() {
  const name = input("name", "text", "name", { maxlength: "100" });
  const email = input("email", "email", "email");
  const password = input("password", "password", "new-password", { minlength: "10" });
  const role = h("select", { name: "role" }, h("option", { value: "traveler" }, t("role.traveler")), h("option", { value: "provider" }, t("role.provider")));
  show(h("h1", {}, t("signUp")), form({ "aria-label": t("signUp") }, [
    field(t("name"), name), field(t("email"), email), field(t("password"), password, t("passwordHint")), field(t("iAm"), role),
    h("button", { type: "submit" }, t("signUp")),
  ], async () => {
    await api("POST", "/api/v1/auth/register", { name: name.value, email: email.value, password: password.value, role: role.value });
    show(h("h1", {}, t("checkMail")), h("p", {}, t("checkMailText")));
  }));
}

export async function verifyEmail(params) {
  try {
    await api("POST", "/api/v1/auth/verify-email", { token: params.get("token") ?? "" });
    show(h("h1", {}, t("verified")), h("p", {}, h("a", { href: "/sign-in" }, t("signIn"))));
  } catch {
    show(h("h1", {}, t("badLink")));
  }
}

export async function confirmEmail(params) {
  try {
    await api("POST", "/api/v1/auth/email/confirm", { token: params.get("token") ?? "" });
    show(h("h1", {}, t("emailChanged")));
  } catch {
    show(h("h1", {}, t("badLink")));
  }
}

export function forgotPassword() {
  const email = input("email", "email", "username");
  show(h("h1", {}, t("forgotPassword")), form({ "aria-label": t("forgotPassword") }, [field(t("email"), email), h("button", { type: "submit" }, t("sendLink"))], async () => {
    await api("POST", "/api/v1/auth/password-reset/request", { email: email.value });
    show(h("h1", {}, t("checkMail")), h("p", {}, t("resetMailText")));
  }));
}

export function resetPassword(params) {
  const password = input("password", "password", "new-password", { minlength: "10" });
  show(h("h1", {}, t("newPassword")), form({ "aria-label": t("newPassword") }, [
    field(t("newPassword"), password, t("passwordHint")), h("button", { type: "submit" }, t("savePassword")),
  ], async () => {
    await api("POST", "/api/v1/auth/password-reset", { token: params.get("token") ?? "", password: password.value });
    show(h("h1", {}, t("passwordSaved")), h("p", {}, h("a", { href: "/sign-in" }, t("signIn"))));
  }));
}

/// The public profile (a provider's page shows it): bio in both languages, city, languages, avatar.
function profileForm(profile) {
  const bioEN = h("textarea", { name: "bio.en", rows: "3", maxlength: "2000" }, profile.bio.en ?? "");
  const bioES = h("textarea", { name: "bio.es", rows: "3", maxlength: "2000" }, profile.bio.es ?? "");
  const city = h("input", { name: "city", maxlength: "100", value: profile.city ?? "" });
  const languages = h("input", { name: "languages", value: profile.languages.join(", "), pattern: "[a-z]{2}(, ?[a-z]{2})*" });
  const avatar = h("input", { name: "avatar", type: "file", accept: "image/jpeg,image/png,image/webp,image/heic" });
  return form({ "aria-label": t("profile") }, [
    h("h2", {}, t("profile")),
    profile.avatarUrl ? h("img", { class: "avatar", src: profile.avatarUrl, alt: t("yourAvatar") }) : null,
    field(t("avatar"), avatar, t("avatarHint")), field(`${t("bio")} (English)`, bioEN), field(`${t("bio")} (Español)`, bioES),
    field(t("city"), city), field(t("languages"), languages, "es, en"), h("button", { type: "submit" }, t("save")),
  ], async (element) => {
    await api("PATCH", "/api/v1/auth/me/profile", {
      bio: { en: bioEN.value, es: bioES.value }, city: city.value || null,
      languages: languages.value.split(",").map((code) => code.trim()).filter(Boolean),
    });
    const [file] = avatar.files;
    if (file) await api("PUT", "/api/v1/auth/me/avatar", file, { "Content-Type": file.type });
    element.append(h("p", { role: "status" }, file ? t("avatarProcessing") : t("saved")));
  });
}

/// A copy of everything MayaGo holds about the person, mailed as a link; and the account's deletion.
function accountData() {
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const exported = h("p", { role: "status" });
  return h("section", { "aria-labelledby": "your-data" }, h("h2", { id: "your-data" }, t("yourData")),
    h("button", { type: "button", class: "secondary", onclick: async () => {
      await api("POST", "/api/v1/auth/me/exports");
      exported.textContent = t("exportAsked");
    } }, t("exportData")), exported,
    form({ "aria-label": t("deleteAccount") }, [h("h3", {}, t("deleteAccount")), h("p", { class: "muted" }, t("deleteAccountText")),
      field(t("password"), password), h("button", { type: "submit", class: "danger" }, t("deleteAccount"))], async () => {
      await api("POST", "/api/v1/auth/me/deletion", { password: password.value });
      await signOut();
      show(h("h1", {}, t("deletionAsked")), h("p", {}, t("deletionAskedText")));
    }));
}

const types = ["booking.confirmed", "booking.received", "booking.cancelled", "booking.reminder", "booking.review_request", "payment.receipt", "messaging.new_message"];

export async function preferences() {
  const [current, profile] = await Promise.all([api("GET", "/api/v1/notifications/preferences"), api("GET", "/api/v1/auth/me/profile")]);
  const chosen = h("select", { name: "language" }, ["en", "es"].map((code) => h("option", { value: code, selected: (current.language ?? language) === code }, code === "en" ? "English" : "Español")));
  const zone = h("input", { name: "timeZone", value: current.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone });
  const table = h("table", {}, h("caption", {}, t("channels")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("notice")), ["email", "push", "in_app"].map((channel) => h("th", { scope: "col" }, t(`channel.${channel}`))))),
    h("tbody", {}, types.map((type) => h("tr", {}, h("th", { scope: "row" }, t(`type.${type}`)), ["email", "push", "in_app"].map((channel) => h("td", {},
      h("input", { type: "checkbox", "data-type": type, "data-channel": channel, "aria-label": `${t(`type.${type}`)}: ${t(`channel.${channel}`)}`,
        checked: current.channels?.[type]?.[channel] ?? true })))))));
  const me = user();
  show(h("h1", {}, t("account")), h("p", { class: "muted" }, `${me.name} · ${me.email} · ${t(`role.${me.role}`)}`),
    form({ "aria-label": t("preferences") }, [h("h2", {}, t("preferences")), field(t("language"), chosen), field(t("timeZone"), zone), h("div", { class: "scroll" }, table),
      h("button", { type: "submit" }, t("save"))], async (element) => {
      const channels = {};
      for (const box of element.querySelectorAll("input[data-type]")) (channels[box.dataset.type] ??= {})[box.dataset.channel] = box.checked;
      await api("PUT", "/api/v1/notifications/preferences", {
        channels: { ...current.channels, ...channels }, language: chosen.value, timeZone: zone.value, phone: current.phone, quietHours: current.quietHours,
      });
      setLanguage(chosen.value);
      element.append(h("p", { role: "status" }, t("saved")));
    }), profileForm(profile), accountData());
}

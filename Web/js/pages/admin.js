// Admins: find a user and change their role or disable them, the audit log, the ledger check, a refund.
import { api, idempotencyKey } from "../api.js";
import { field, form, h, problemText, show } from "../dom.js";
import { dateTime, money, t } from "../i18n.js";

/// Changes a user; a refusal (an admin demoting themselves, say) is read out in the users' status line.
async function change(found, body, refresh) {
  const status = document.getElementById("users-status");
  try {
    await api("PATCH", `/api/v1/auth/admin/users/${found.id}`, body);
    status.textContent = `${found.email}: ${t("saved")}`;
  } catch (failure) {
    status.textContent = `${found.email}: ${problemText(failure)}`;
  }
  await refresh();
}

function userRow(found, refresh) {
  const role = h("select", { "aria-label": `${t("role")}: ${found.email}` }, ["traveler", "provider", "admin"].map((value) =>
    h("option", { value, selected: found.role === value }, t(`role.${value}`))));
  role.addEventListener("change", () => change(found, { role: role.value }, refresh));
  const disabled = found.disabled;
  return h("tr", {}, h("td", {}, found.name), h("td", {}, found.email), h("td", {}, role),
    h("td", {}, h("button", { type: "button", class: "secondary", onclick: () => change(found, { disabled: !disabled }, refresh) }, disabled ? t("enable") : t("disable"))));
}

export async function admin(params) {
  const email = h("input", { name: "email", type: "search", value: params.get("email") ?? "" });
  const users = h("tbody", {});
  const load = async () => {
    const page = await api("GET", `/api/v1/auth/admin/users?limit=20${email.value ? `&email=${encodeURIComponent(email.value)}` : ""}`);
    users.replaceChildren(...page.items.map((found) => userRow(found, load)));
  };
  const [ledger, audit, revenue] = await Promise.all([
    api("GET", "/api/v1/payments/ledger"), api("GET", "/api/v1/auth/admin/audit?limit=20"), api("GET", "/api/v1/payments/revenue"),
  ]);
  const payment = h("input", { name: "paymentId", required: true, pattern: "[0-9a-fA-F-]{36}" });
  const amount = h("input", { name: "amount", type: "number", min: "1", required: true });
  show(h("h1", {}, t("admin")),
    h("section", {}, h("h2", {}, t("users")),
      form({ role: "search", class: "search" }, [field(t("email"), email), h("button", { type: "submit" }, t("search"))], load),
      h("p", { id: "users-status", role: "status" }),
      h("div", { class: "scroll" }, h("table", {}, h("thead", {}, h("tr", {}, [t("name"), t("email"), t("role"), ""].map((label) => h("th", { scope: "col" }, label)))), users))),
    h("section", {}, h("h2", {}, t("ledger")),
      h("p", { role: "status" }, ledger.balanced ? `${t("ledgerBalanced")} (${ledger.postings} ${t("postings")})` : `${t("ledgerUnbalanced")}: ${ledger.unbalancedTransactions.join(", ")}`),
      h("ul", {}, revenue.currencies.map((row) => h("li", {},
        `${row.currency}: ${t("charged")} ${money({ amount: row.charged, currency: row.currency })} · ${t("commission")} ${money({ amount: row.commission, currency: row.currency })}`)))),
    h("section", {}, h("h2", {}, t("refund")), form({ "aria-label": t("refund") }, [
      field(t("paymentId"), payment), field(t("amountMinor"), amount), h("button", { type: "submit" }, t("refund")),
    ], async (element) => {
      await api("POST", `/api/v1/payments/${payment.value}/refunds`, { amount: Number(amount.value), reason: "requested_by_customer" }, { "Idempotency-Key": idempotencyKey() });
      element.append(h("p", { role: "status" }, t("refunded")));
    })),
    h("section", {}, h("h2", {}, t("audit")), h("ul", { class: "list" }, audit.items.map((entry) => h("li", {},
      `${dateTime(entry.occurredAt)} · ${entry.type} · ${entry.email ?? ""} ${entry.detail ?? ""}`)))));
  await load();
}

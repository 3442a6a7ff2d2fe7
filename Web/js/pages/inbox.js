// The in-app notifications, newest first; opening the page marks them read.
import { api } from "../api.js";
import { h, show } from "../dom.js";
import { dateTime, t } from "../i18n.js";

export async function inbox() {
  const page = await api("GET", "/api/v1/notifications?limit=50");
  show(h("h1", {}, t("inbox")), page.items.length === 0 ? h("p", {}, t("noNotifications")) :
    h("ul", { class: "list" }, page.items.map((entry) => h("li", { class: entry.readAt ? "" : "unread" },
      h("strong", {}, entry.title), h("p", {}, entry.body), h("time", { class: "muted", datetime: entry.createdAt }, dateTime(entry.createdAt))))));
  if (page.items.some((entry) => !entry.readAt)) await api("POST", "/api/v1/notifications/read-all");
}

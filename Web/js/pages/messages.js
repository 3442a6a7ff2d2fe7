// Conversations and one conversation, live: messages, typing and read marks over the socket; the history over HTTP.
import { api, idempotencyKey, user } from "../api.js";
import { h, show } from "../dom.js";
import { dateTime, t } from "../i18n.js";
import { listen, send } from "../socket.js";

let stopListening = () => {};

/// Leaving a conversation's page closes its listener (the router calls this before every page).
export function leaveConversation() {
  stopListening();
  stopListening = () => {};
}

export async function conversations() {
  const page = await api("GET", "/api/v1/conversations");
  const me = user()?.id;
  show(h("h1", {}, t("messages")), page.items.length === 0 ? h("p", {}, t("noConversations")) :
    h("ul", { class: "list" }, page.items.map((conversation) => {
      const other = conversation.participants.find((participant) => participant.userId !== me);
      return h("li", {},
        h("a", { href: `/messages/${conversation.id}` }, `${other?.name ?? ""} · ${conversation.experienceTitle}`),
        conversation.unreadCount ? h("span", { class: "badge" }, ` ${conversation.unreadCount} ${t("unread")}`) : null,
        conversation.lastMessage ? h("p", { class: "muted" }, conversation.lastMessage.body) : null);
    })));
}

export async function conversation(id) {
  const [found, history] = await Promise.all([api("GET", `/api/v1/conversations/${id}`), api("GET", `/api/v1/conversations/${id}/messages?limit=50`)]);
  const me = user()?.id;
  const other = found.participants.find((participant) => participant.userId !== me);
  const names = new Map(found.participants.map((participant) => [participant.userId, participant.name]));
  const log = h("ol", { class: "chat", "aria-live": "polite", "aria-label": t("messages") });
  const typing = h("p", { class: "muted typing", "aria-live": "polite" });
  const presence = h("span", { class: "muted" }, other?.online ? t("online") : "");
  const readMark = h("p", { class: "muted read-mark" });
  const shown = new Set();
  let newest = null;
  const add = (message) => {
    if (shown.has(message.id)) return;
    shown.add(message.id);
    newest = message;
    log.append(h("li", { class: message.senderId === me ? "mine" : "theirs", "data-id": message.id },
      h("span", { class: "who" }, names.get(message.senderId) ?? ""), h("p", {}, message.body),
      h("time", { datetime: message.createdAt }, dateTime(message.createdAt))));
    log.lastElementChild.scrollIntoView({ block: "end" });
  };
  const markRead = () => {
    if (newest && newest.senderId !== me && document.visibilityState === "visible") send({ type: "read", conversationId: id, upToMessageId: newest.id });
  };
  history.items.slice().reverse().forEach(add);

  const input = h("textarea", { id: "message", name: "body", rows: "2", maxlength: "4000", required: true });
  let lastTyping = 0;
  input.addEventListener("input", () => {
    if (Date.now() - lastTyping < 3000) return;
    lastTyping = Date.now();
    send({ type: "typing", conversationId: id });
  });
  const composer = h("form", { class: "composer", onsubmit: (event) => {
    event.preventDefault();
    const body = input.value.trim();
    if (!body) return;
    send({ type: "send", conversationId: id, body, clientMessageId: idempotencyKey() });
    input.value = "";
    input.focus();
  } }, h("label", { for: "message", class: "visually-hidden" }, t("writeMessage")), input, h("button", { type: "submit" }, t("send")));
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  leaveConversation();
  let typingTimer = null;
  stopListening = listen((frame) => {
    if (frame.type === "message" || (frame.type === "ack" && frame.message)) {
      if (frame.message.conversationId !== id) return;
      add(frame.message);
      typing.textContent = "";
      markRead();
    } else if (frame.type === "typing" && frame.conversationId === id && frame.userId !== me) {
      typing.textContent = `${names.get(frame.userId) ?? ""} ${t("isTyping")}`;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => { typing.textContent = ""; }, 6000);
    } else if (frame.type === "read" && frame.conversationId === id && frame.userId !== me) {
      readMark.textContent = `${t("readAt")} ${dateTime(frame.readAt)}`;
    } else if (frame.type === "presence" && frame.userId === other?.userId) {
      presence.textContent = frame.online ? t("online") : "";
    } else if (frame.type === "error") {
      typing.textContent = frame.detail;
    }
  }, newest?.id);
  show(h("h1", {}, `${other?.name ?? ""} · ${found.experienceTitle}`), presence, log, readMark, typing, composer);
  markRead();
}

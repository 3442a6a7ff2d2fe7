// Conversations and one conversation, live: messages, typing and read marks over the socket; the history over HTTP.
import { api, download, idempotencyKey, user } from "../api.js";
import { h, problemText, show } from "../dom.js";
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

/// Pictures a browser shows; other attachments are saved as files.
const pictures = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/// Fetches an attachment (its route wants the token, which a plain link would not send) in place of its button:
/// a picture is shown, anything else saved under its name.
async function openAttachment(attachment, button) {
  button.disabled = true;
  try {
    const { blob, name } = await download(`/api/v1/attachments/${attachment}`);
    const url = URL.createObjectURL(blob);
    if (pictures.has(blob.type)) {
      button.replaceWith(h("img", { class: "attachment", src: url, alt: name ?? t("attachment") }));
    } else {
      const link = h("a", { class: "attachment", href: url, download: name ?? attachment }, name ?? t("attachment"));
      button.replaceWith(link);
      link.click();
    }
  } catch (error) {
    button.disabled = false;
    button.title = error.message;
  }
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
  const added = new Set();
  let newest = null;
  const add = (message) => {
    if (added.has(message.id)) return;
    added.add(message.id);
    newest = message;
    const attachments = (message.attachmentIds ?? []).map((attachment, index) =>
      h("button", { type: "button", class: "attachment", onclick: (event) => openAttachment(attachment, event.currentTarget) },
        `${t("attachment")} ${index + 1}`));
    log.append(h("li", { class: message.senderId === me ? "mine" : "theirs", "data-id": message.id },
      h("span", { class: "who" }, names.get(message.senderId) ?? ""), message.body ? h("p", {}, message.body) : null, attachments,
      h("time", { datetime: message.createdAt }, dateTime(message.createdAt))));
    log.lastElementChild.scrollIntoView({ block: "end" });
  };
  const markRead = () => {
    if (newest && newest.senderId !== me && document.visibilityState === "visible") send({ type: "read", conversationId: id, upToMessageId: newest.id });
  };
  history.items.slice().reverse().forEach(add);

  const input = h("textarea", { id: "message", name: "body", rows: "2", maxlength: "4000" });
  const picker = h("input", { type: "file", id: "attachment", class: "visually-hidden", accept: [...pictures, "image/heic", "application/pdf", "text/plain"].join(",") });
  const chosen = h("span", { class: "muted chosen" });
  const problem = h("p", { class: "error", role: "alert" });
  picker.addEventListener("change", () => { chosen.textContent = picker.files[0]?.name ?? ""; });
  let lastTyping = 0;
  input.addEventListener("input", () => {
    if (Date.now() - lastTyping < 3000) return;
    lastTyping = Date.now();
    send({ type: "typing", conversationId: id });
  });
  const composer = h("form", { class: "composer", onsubmit: async (event) => {
    event.preventDefault();
    const body = input.value.trim();
    const file = picker.files[0];
    if (!body && !file) return;
    problem.textContent = "";
    let attachmentIds;
    if (file) {
      try {
        attachmentIds = [(await api("POST", `/api/v1/attachments?name=${encodeURIComponent(file.name)}`, file, { "Content-Type": file.type })).id];
      } catch (error) {
        problem.textContent = problemText(error);
        return;
      }
    }
    send({ type: "send", conversationId: id, body, attachmentIds, clientMessageId: idempotencyKey() });
    input.value = "";
    picker.value = "";
    chosen.textContent = "";
    input.focus();
  } }, h("label", { for: "message", class: "visually-hidden" }, t("writeMessage")), input,
  h("label", { class: "attach", title: t("attachFile") }, t("attach"), h("span", { class: "visually-hidden" }, `: ${t("attachFile")}`), picker),
  chosen, h("button", { type: "submit" }, t("send")));
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
  show(h("h1", {}, `${other?.name ?? ""} · ${found.experienceTitle}`), presence, log, readMark, typing, composer, problem);
  markRead();
}

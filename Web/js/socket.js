// The messaging socket, opened while a conversation is on screen: frames go to whoever listens; a lost connection
// comes back with growing pauses and asks for what was stored since the last message it saw (`since`).
import { token } from "./api.js";

let socket = null;
let lastMessageID = null;
let retry = 0;
let wanted = false;
const listeners = new Set();
const queue = [];

function url() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = new URLSearchParams({ token: token() });
  if (lastMessageID) query.set("since", lastMessageID);
  return `${scheme}://${location.host}/api/v1/messaging/ws?${query}`;
}

function open() {
  if (!token() || (socket && socket.readyState <= WebSocket.OPEN)) return;
  socket = new WebSocket(url());
  socket.addEventListener("open", () => {
    retry = 0;
    while (queue.length && socket.readyState === WebSocket.OPEN) socket.send(queue.shift());
    for (const listener of listeners) listener({ type: "connected" });
  });
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.message) lastMessageID = frame.message.id;
    for (const listener of listeners) listener(frame);
  });
  socket.addEventListener("close", () => {
    socket = null;
    for (const listener of listeners) listener({ type: "disconnected" });
    if (wanted) setTimeout(open, Math.min(30_000, 500 * 2 ** retry++));
  });
}

/// Listens to frames until the returned function is called; the socket closes when nobody listens.
export function listen(listener, since) {
  listeners.add(listener);
  lastMessageID ??= since;
  wanted = true;
  open();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      wanted = false;
      socket?.close();
    }
  };
}

/// Sends a frame now, or as soon as the socket is back.
export function send(frame) {
  const text = JSON.stringify(frame);
  if (socket?.readyState === WebSocket.OPEN) socket.send(text);
  else {
    queue.push(text);
    open();
  }
}

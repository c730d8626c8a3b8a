// The transcript as data: server frames in, a list of messages out.

export const MAX_MESSAGES = 500
// The server's default limit (--max_text); it refuses longer texts.
export const MAX_TEXT = 2000

let nextId = 0

// One message from a server frame, whatever the frame holds.
export function toMessage(frame) {
  const ts = Number(frame.ts)
  return {
    id: nextId++,
    name: String(frame.name ?? ''),
    text: String(frame.text ?? ''),
    ts: Number.isFinite(ts) ? ts : Date.now() / 1000,
  }
}

function keepLast(list) {
  return list.length > MAX_MESSAGES ? list.slice(list.length - MAX_MESSAGES) : list
}

// The transcript after a 'message' frame: one more at the end.
export function appendMessage(messages, frame) {
  return keepLast([...messages, toMessage(frame)])
}

// The transcript after a 'history' frame: the server's recent messages, which
// replace what was shown (a reconnect gets the history again). A frame
// without a list leaves the transcript as it was.
export function fromHistory(messages, frame) {
  if (!Array.isArray(frame.messages)) return messages
  return keepLast(frame.messages.filter((m) => m && typeof m === 'object').map(toMessage))
}

function pad(n) {
  return String(n).padStart(2, '0')
}

// '14:03' for today, '2025-11-24 14:03' for an older message (local time).
export function shortTime(ts, now = new Date()) {
  const d = new Date(ts * 1000)
  const time = pad(d.getHours()) + ':' + pad(d.getMinutes())
  const today =
    d.getFullYear() === now.getFullYear() &&
    d.getMonth() === now.getMonth() &&
    d.getDate() === now.getDate()
  if (today) return time
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`
}

export function isoTime(ts) {
  return new Date(ts * 1000).toISOString()
}

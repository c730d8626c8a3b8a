// The transcript of a room as data: the server's messages, by id.
//
// A message is {id, room, name, text, ts}; ids are integers that increase in
// the order messages are said, so a room's transcript is kept sorted by id and
// an id held once is never added again (a message can come as a notification,
// in the answer to a join after a reconnect, and in a page of history).

// At most this many messages are kept per room; the oldest go first.
export const MAX_MESSAGES = 500
// The server's default limit (--max_text); it refuses longer texts.
export const MAX_TEXT = 2000

// One message from the server, or null when it has no usable id.
export function toMessage(data, room = '') {
  if (!data || typeof data !== 'object' || !Number.isSafeInteger(data.id)) return null
  const ts = Number(data.ts)
  return {
    id: data.id,
    room: String(data.room ?? room),
    name: String(data.name ?? ''),
    text: String(data.text ?? ''),
    ts: Number.isFinite(ts) ? ts : Date.now() / 1000,
  }
}

// The usable messages of a list from the server (anything else: none).
export function toMessages(list, room = '') {
  return Array.isArray(list) ? list.map((m) => toMessage(m, room)).filter(Boolean) : []
}

export function newestId(messages) {
  return messages.length ? messages[messages.length - 1].id : null
}

export function oldestId(messages) {
  return messages.length ? messages[0].id : null
}

// The transcript with incoming messages added in id order, skipping the ids it
// holds already, and the messages that were new. With trim, the oldest go
// when there are more than MAX_MESSAGES (not when a page of older ones was
// asked for: those are what the reader wants to see).
export function mergeMessages(messages, incoming, { trim = true } = {}) {
  const held = new Set(messages.map((m) => m.id))
  const added = []
  for (const m of incoming) {
    if (!held.has(m.id)) {
      held.add(m.id)
      added.push(m)
    }
  }
  if (!added.length) return { messages, added }
  let merged
  if (!messages.length || added.every((m) => m.id > newestId(messages))) {
    merged = [...messages, ...added.sort((a, b) => a.id - b.id)]
  } else {
    merged = [...messages, ...added].sort((a, b) => a.id - b.id)
  }
  if (trim && merged.length > MAX_MESSAGES) merged = merged.slice(merged.length - MAX_MESSAGES)
  return { messages: merged, added }
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

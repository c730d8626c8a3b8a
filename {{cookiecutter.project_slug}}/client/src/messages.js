// The transcript of a room as data: the server's messages, by id.
//
// A message is {id, room, name, text, ts}; ids are integers that increase in
// the order messages are said, so a room's transcript is kept sorted by id and
// an id held once is never added again (a message can come as a notification,
// in the answer to a join after a reconnect, and in a page of history).

import { isInteger, isRecord } from './json.js'

/**
 * A message, as the page keeps it (toMessage makes one of the server's JSON).
 * @typedef {object} Message
 * @property {number} id the server's: an integer, increasing in the order said
 * @property {string} room
 * @property {string} name who said it
 * @property {string} text
 * @property {number} ts when the server took it: seconds since the epoch
 */

// At most this many messages are kept per room; the oldest go first.
export const MAX_MESSAGES = 500
// The server's default limit (--max_text); it refuses longer texts.
export const MAX_TEXT = 2000

/**
 * One message from the server, or null when it has no usable id.
 * @param {unknown} data the server's JSON: anything
 * @param {string} [room] the room, when data does not name one
 * @returns {Message | null}
 */
export function toMessage(data, room = '') {
  if (!isRecord(data) || !isInteger(data.id)) return null
  const ts = Number(data.ts)
  return {
    id: data.id,
    room: String(data.room ?? room),
    name: String(data.name ?? ''),
    text: String(data.text ?? ''),
    ts: Number.isFinite(ts) ? ts : Date.now() / 1000,
  }
}

/**
 * The usable messages of a list from the server (anything else: none).
 * @param {unknown} list
 * @param {string} [room] the room, when a message does not name one
 * @returns {Message[]}
 */
export function toMessages(list, room = '') {
  return Array.isArray(list) ? list.map((m) => toMessage(m, room)).filter((m) => m !== null) : []
}

/**
 * @param {Message[]} messages sorted by id
 * @returns {number | null}
 */
export function newestId(messages) {
  return messages.length ? messages[messages.length - 1].id : null
}

/**
 * @param {Message[]} messages sorted by id
 * @returns {number | null}
 */
export function oldestId(messages) {
  return messages.length ? messages[0].id : null
}

/**
 * The transcript with incoming messages added in id order, skipping the ids it
 * holds already, and the messages that were new. With trim, the oldest go
 * when there are more than MAX_MESSAGES (not when a page of older ones was
 * asked for: those are what the reader wants to see).
 * @param {Message[]} messages sorted by id
 * @param {Message[]} incoming in any order
 * @param {{ trim?: boolean }} [options]
 * @returns {{ messages: Message[], added: Message[] }}
 */
export function mergeMessages(messages, incoming, { trim = true } = {}) {
  const held = new Set(messages.map((m) => m.id))
  /** @type {Message[]} */
  const added = []
  for (const m of incoming) {
    if (!held.has(m.id)) {
      held.add(m.id)
      added.push(m)
    }
  }
  if (!added.length) return { messages, added }
  const newest = newestId(messages)
  let merged
  if (newest === null || added.every((m) => m.id > newest)) {
    merged = [...messages, ...added.sort((a, b) => a.id - b.id)]
  } else {
    merged = [...messages, ...added].sort((a, b) => a.id - b.id)
  }
  if (trim && merged.length > MAX_MESSAGES) merged = merged.slice(merged.length - MAX_MESSAGES)
  return { messages: merged, added }
}

/** @param {number} n */
function pad(n) {
  return String(n).padStart(2, '0')
}

/**
 * '14:03' for today, '2025-11-24 14:03' for an older message (local time).
 * @param {number} ts seconds since the epoch
 * @param {Date} [now]
 * @returns {string}
 */
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

/**
 * @param {number} ts seconds since the epoch
 * @returns {string}
 */
export function isoTime(ts) {
  return new Date(ts * 1000).toISOString()
}

// What the chat page knows, and what the person can do: the rooms they are
// in (messages, members, who is typing, unread counts), their messages on the
// way out, and the connection (rpc.js), as one reactive state.
//
// The protocol (JSON-RPC 2.0, see the project's docs): after the socket opens
// the page joins `general` first, then the other rooms it is in, each with
// `after` = the newest message id it holds there, and adds what comes back,
// skipping the ids it has. Then it sends again every message that got no
// answer, with the same client_id (the server answers a client_id it has seen
// with its first answer and delivers nothing twice). A message the server
// refused is shown as failed, with a retry.

import { reactive } from 'vue'
import { isInteger, isRecord } from './json.js'
import { mergeMessages, newestId, oldestId, toMessage, toMessages } from './messages.js'
import { LostError, createRpc } from './rpc.js'

/** @import { ConnectionState } from './chat.js' */
/** @import { Message } from './messages.js' */
/** @import { Params, RpcOptions } from './rpc.js' */

/**
 * A member of a room: the name they chat under (the server's presence lists
 * each name once, however many tabs it has open).
 * @typedef {string} Member
 */

/**
 * One of this page's messages on its way: shown until the transcript has it.
 * @typedef {object} OutboxItem
 * @property {string} clientId the same on every retry: the server delivers it once
 * @property {string} text
 * @property {string} name
 * @property {number} ts when it was written: seconds since the epoch
 * @property {'sending' | 'sent' | 'failed'} status
 * @property {string | null} error why the server refused it
 * @property {number | null} id the server's id, once it answered
 * @property {number} attempt counts the sends: an old send's answer is ignored
 */

/**
 * Someone typing in a room, shown until `until` (ms).
 * @typedef {{ name: string, until: number }} Typist
 */

/**
 * A room the page is in.
 * @typedef {object} Room
 * @property {string} name
 * @property {Message[]} messages the server's messages, by id
 * @property {Record<number, true>} sent ids of the messages this page sent (shown as sent)
 * @property {OutboxItem[]} outbox this page's messages not yet seen coming back
 * @property {Member[]} members
 * @property {number} count how many people are in the room (a big room lists no names)
 * @property {Typist[]} typing
 * @property {number} unread
 * @property {boolean} joined joined on the server over the current connection
 * @property {boolean} hasOlder older messages may be there to load
 * @property {boolean} loadingOlder
 * @property {boolean} truncated a reconnect missed more than the server gave back
 * @property {number | null} gapAfter the newest id held before that gap
 * @property {string | null} error why the room could not be joined
 */

/**
 * A room with people in it, in the server's list (the rooms method).
 * @typedef {{ room: string, members: number }} DirectoryEntry
 */

/**
 * What the page should tell the person (an error, or the server's status).
 * @typedef {{ kind: 'error' | 'status', text: string }} Notice
 */

/**
 * A new message in the current room, for screen readers.
 * @typedef {{ key: number, text: string }} Announcement
 */

/**
 * The store's reactive state.
 * @typedef {object} ChatState
 * @property {ConnectionState} connection
 * @property {boolean} resuming joining the rooms again after a (re)connect
 * @property {Room[]} rooms
 * @property {string | null} current the room shown
 * @property {DirectoryEntry[]} directory the rooms with people in them
 * @property {Notice | null} notice
 * @property {Announcement[]} announcements
 */

/**
 * What createChatStore is told; everything has a default, and the rest goes
 * to createRpc (and on to createChat).
 * @typedef {Omit<RpcOptions, 'now' | 'onState' | 'onDrop' | 'onNotification' | 'onError'> & {
 *   me?: () => string,
 *   auth?: boolean,
 *   rooms?: string[],
 *   current?: string | null,
 *   storage?: Pick<Storage, 'getItem' | 'setItem'>,
 *   newId?: () => string,
 *   now?: () => number,
 * }} ChatStoreOptions
 */

export const GENERAL = 'general'
export const ROOM_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/
export const ROOM_RULE =
  'A room name is 1 to 32 characters: a-z, 0-9, - and _, and starts with a letter or digit.'
// The typing notification goes out at most this often while one types...
export const TYPING_EVERY_MS = 3000
// ...and the others show it this long.
export const TYPING_SHOWN_MS = 5000
// Messages asked for per page of history.
export const HISTORY_PAGE = 50
// What is announced to screen readers: the last few new messages.
export const ANNOUNCED = 5
export const ROOMS_KEY = 'chat.rooms'

/**
 * Why a room name will not do, or null.
 * @param {string} name
 * @returns {string | null}
 */
export function roomNameError(name) {
  return ROOM_PATTERN.test(name) ? null : ROOM_RULE
}

/**
 * The rooms to be in at the start: general first, then those remembered.
 * @param {Pick<Storage, 'getItem'>} [storage]
 * @returns {string[]}
 */
export function loadRooms(storage = globalThis.localStorage) {
  /** @type {unknown} */
  let saved = []
  try {
    saved = JSON.parse(storage.getItem(ROOMS_KEY) || '[]')
  } catch {
    // Storage may be unavailable or hold junk: general alone then.
  }
  const rooms = [GENERAL]
  if (Array.isArray(saved)) {
    for (const room of saved) {
      if (typeof room === 'string' && !roomNameError(room) && !rooms.includes(room)) {
        rooms.push(room)
      }
    }
  }
  return rooms
}

/**
 * @param {string[]} rooms
 * @param {Pick<Storage, 'setItem'>} [storage]
 */
export function saveRooms(rooms, storage = globalThis.localStorage) {
  try {
    storage.setItem(ROOMS_KEY, JSON.stringify(rooms))
  } catch {
    // The rooms still work for this page.
  }
}

/**
 * A client_id for a send: the same on every retry of it.
 * @returns {string}
 */
export function newClientId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID()
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Why a request failed, to be shown: the server's message (an RpcError), or
 * the error's.
 * @param {unknown} error
 * @returns {string}
 */
function messageOf(error) {
  return error instanceof Error ? error.message : String(error)
}

/**
 * @param {string} name
 * @returns {Room}
 */
function makeRoom(name) {
  return {
    name,
    // the server's messages, by id
    messages: [],
    // ids of the messages this page sent (shown as sent)
    sent: {},
    // this page's messages not yet seen coming back
    outbox: [],
    members: [],
    // how many people are in the room (a big room lists no names, only this)
    count: 0,
    // [{ name, until }]
    typing: [],
    unread: 0,
    // joined on the server over the current connection
    joined: false,
    // older messages may be there to load
    hasOlder: false,
    loadingOlder: false,
    // a reconnect missed more than the server gave back: older ones are not shown
    truncated: false,
    gapAfter: null,
    error: null,
  }
}

/**
 * @param {ChatStoreOptions} [options]
 */
export function createChatStore({
  // The name this person goes by (the guest's choice, or the login's name).
  me = () => '',
  // Login is used: the server names the person and no name is sent.
  auth = false,
  rooms = [GENERAL],
  current = null,
  storage = globalThis.localStorage,
  newId = newClientId,
  now = () => Date.now(),
  ...rpcOptions
} = {}) {
  /** @type {ChatState} */
  const state = reactive({
    // 'connecting' | 'connected' | 'reconnecting' | 'closed' (chat.js)
    connection: 'connecting',
    // joining the rooms again after a (re)connect
    resuming: false,
    rooms: rooms.map(makeRoom),
    current: current && rooms.includes(current) ? current : rooms[0] ?? null,
    // the rooms with people in them: [{ room, members }]
    directory: [],
    // { kind: 'error' | 'status', text }
    notice: null,
    // new messages in the current room, for screen readers: [{ key, text }]
    announcements: [],
  })

  let generation = 0
  let announced = 0
  // the name the rooms were joined under (guests)
  /** @type {string | null} */
  let joinedAs = null
  /** @type {Map<string, number>} room -> when this page last said it was typing (ms) */
  const lastTyping = new Map()
  /** @type {Set<ReturnType<typeof setTimeout>>} */
  const typingTimers = new Set()

  const rpc = createRpc({
    ...rpcOptions,
    now,
    onState,
    onDrop,
    onNotification,
    onError: (error) => {
      state.notice = { kind: 'error', text: error.message }
    },
  })

  /**
   * The room of that name, if the page is in it.
   * @param {unknown} name a name, or what the server sent as one
   * @returns {Room | null}
   */
  function room(name) {
    return state.rooms.find((r) => r.name === name) ?? null
  }

  /** @returns {Room | null} */
  function currentRoom() {
    return room(state.current)
  }

  function remember() {
    saveRooms(
      state.rooms.map((r) => r.name),
      storage,
    )
  }

  /**
   * The params of a join: with the guest's name, without login.
   * @param {Params} params
   * @returns {Params}
   */
  function guest(params) {
    return auth ? params : { ...params, name: me() }
  }

  /** @param {Room} r */
  function canSend(r) {
    return state.connection === 'connected' && !state.resuming && r.joined
  }

  /** @param {ConnectionState} next */
  function onState(next) {
    state.connection = next
    if (next === 'connected') resume()
  }

  function onDrop() {
    generation++
    state.resuming = false
    for (const r of state.rooms) {
      r.joined = false
      r.loadingOlder = false
      r.typing = []
    }
  }

  // After the socket opened: join every room again, then send what got no answer.
  async function resume() {
    const gen = ++generation
    state.resuming = true
    joinedAs = me()
    await Promise.all(state.rooms.map((r) => joinOn(r, gen)))
    if (gen !== generation) return
    state.resuming = false
    // the name changed while joining: join again under the new one
    if (!auth && me() !== joinedAs) {
      rename()
      return
    }
    for (const r of state.rooms) {
      for (const item of r.outbox) if (item.status === 'sending') transmit(r, item)
    }
    refreshRooms()
  }

  /**
   * Joins r on this connection (again: with after = the newest id held).
   * @param {Room} r
   * @param {number} gen the connection's generation: a later one drops the answer
   */
  async function joinOn(r, gen) {
    /** @type {Params} */
    const params = { room: r.name }
    const after = newestId(r.messages)
    if (after !== null) params.after = after
    try {
      const result = await rpc.request('join', guest(params))
      if (gen !== generation || !state.rooms.includes(r)) return
      applyJoin(r, result)
    } catch (error) {
      if (gen !== generation || error instanceof LostError) return
      r.error = messageOf(error)
      state.notice = { kind: 'error', text: `Could not join ${r.name}: ${r.error}` }
    }
  }

  /**
   * @param {Room} r
   * @param {Params} result the join's: messages, members, count, truncated
   */
  function applyJoin(r, result) {
    const incoming = toMessages(result.messages, r.name)
    const held = r.messages.length > 0
    if (held && result.truncated === true) {
      // More were missed than came back: show what came, older ones on request.
      r.gapAfter = newestId(r.messages)
      r.messages = incoming
      r.truncated = true
      r.hasOlder = true
      countUnread(r, incoming)
    } else {
      const { messages, added } = mergeMessages(r.messages, incoming)
      if (trimmed(r.messages, added, messages)) r.hasOlder = true
      r.messages = messages
      if (held) countUnread(r, added)
      else r.hasOlder = incoming.length > 0
    }
    r.members = names(result.members)
    r.count = isInteger(result.count) ? result.count : r.members.length
    r.joined = true
    r.error = null
    settle(r)
  }

  /**
   * The oldest messages went to keep the transcript short.
   * @param {Message[]} before
   * @param {Message[]} added
   * @param {Message[]} after
   */
  function trimmed(before, added, after) {
    return before.length + added.length > after.length
  }

  /**
   * The names in a list from the server.
   * @param {unknown} list
   * @returns {Member[]}
   */
  function names(list) {
    return Array.isArray(list) ? list.filter((n) => typeof n === 'string') : []
  }

  /**
   * @param {Room} r
   * @param {Message[]} added
   */
  function countUnread(r, added) {
    if (r.name === state.current) return
    r.unread += added.filter((m) => m.name !== me()).length
  }

  /**
   * Drops from the outbox what the transcript now shows.
   * @param {Room} r
   */
  function settle(r) {
    const held = new Set(r.messages.map((m) => m.id))
    const oldest = oldestId(r.messages)
    r.outbox = r.outbox.filter((item) => {
      if (item.status !== 'sent' || item.id === null) return true
      const shown = held.has(item.id) || (oldest !== null && item.id < oldest)
      if (shown) r.sent[item.id] = true
      return !shown
    })
  }

  /**
   * The server's notifications: what the params hold is checked by each.
   * @param {string} method
   * @param {Params} params
   */
  function onNotification(method, params) {
    if (method === 'message') onMessage(params)
    else if (method === 'presence') onPresence(params)
    else if (method === 'typing') onTyping(params)
    else if (method === 'status') onStatus(params)
  }

  /** @param {Params} params */
  function onMessage(params) {
    const r = room(params.room)
    const m = toMessage(params)
    if (!r || !m) return
    const { messages, added } = mergeMessages(r.messages, [m])
    if (!added.length) return
    if (trimmed(r.messages, added, messages)) r.hasOlder = true
    r.messages = messages
    r.typing = r.typing.filter((t) => t.name !== m.name)
    settle(r)
    if (m.name === me()) return
    if (r.name !== state.current) r.unread++
    else announce(`${m.name}: ${m.text}`)
  }

  /** @param {string} text */
  function announce(text) {
    state.announcements = [...state.announcements, { key: announced++, text }].slice(-ANNOUNCED)
  }

  /** @param {Params} params */
  function onPresence(params) {
    const r = room(params.room)
    const listed = Array.isArray(params.members)
    if (!r || (!listed && !isInteger(params.count))) return
    r.members = listed ? names(params.members) : []
    r.count = isInteger(params.count) ? params.count : r.members.length
  }

  /** @param {Params} params */
  function onTyping(params) {
    const r = room(params.room)
    const name = params.name
    if (!r || typeof name !== 'string' || name === me()) return
    const until = now() + TYPING_SHOWN_MS
    r.typing = [...r.typing.filter((t) => t.name !== name), { name, until }]
    const timer = setTimeout(() => {
      typingTimers.delete(timer)
      r.typing = r.typing.filter((t) => t.until > now())
    }, TYPING_SHOWN_MS)
    typingTimers.add(timer)
  }

  /** @param {Params} params */
  function onStatus(params) {
    const parts = [params.status, params.detail].filter((p) => p != null && p !== '')
    state.notice = { kind: 'status', text: parts.map(String).join(': ') }
  }

  /**
   * Sends text to the current room; it shows as sending until the server
   * answers, and waits for the connection when there is none.
   * @param {string} text
   * @returns {boolean} whether there was a room and a text to send
   */
  function send(text) {
    const r = currentRoom()
    if (!r || !text.trim()) return false
    /** @type {OutboxItem} */
    const item = reactive({
      clientId: newId(),
      text,
      name: me(),
      ts: now() / 1000,
      status: 'sending',
      error: null,
      id: null,
      attempt: 0,
    })
    r.outbox.push(item)
    if (canSend(r)) transmit(r, item)
    return true
  }

  /**
   * @param {Room} r
   * @param {OutboxItem} item
   */
  async function transmit(r, item) {
    const attempt = ++item.attempt
    item.status = 'sending'
    item.error = null
    /** @type {Params} */
    const params = { room: r.name, text: item.text, client_id: item.clientId }
    if (!auth) params.name = item.name
    try {
      const result = await rpc.request('send', params)
      if (attempt !== item.attempt) return
      item.status = 'sent'
      item.id = isInteger(result.id) ? result.id : null
      if (item.id === null) r.outbox = r.outbox.filter((o) => o !== item)
      else settle(r)
    } catch (error) {
      if (attempt !== item.attempt) return
      if (error instanceof LostError) {
        // No answer: sent again (same client_id) once the rooms are joined again.
        item.status = 'sending'
        if (canSend(r)) transmit(r, item)
      } else {
        item.status = 'failed'
        item.error = messageOf(error)
      }
    }
  }

  /**
   * Sends a message the server refused again.
   * @param {string} roomName
   * @param {string} clientId
   */
  function retry(roomName, clientId) {
    const r = room(roomName)
    const item = r?.outbox.find((o) => o.clientId === clientId)
    if (!r || !item || item.status !== 'failed') return
    item.status = 'sending'
    item.error = null
    if (canSend(r)) transmit(r, item)
  }

  // Someone types in the current room: tell the others, at most every 3 s.
  function typing() {
    const r = currentRoom()
    if (!r || !canSend(r)) return
    const last = lastTyping.get(r.name)
    if (last !== undefined && now() - last < TYPING_EVERY_MS) return
    if (rpc.notify('typing', { room: r.name })) lastTyping.set(r.name, now())
  }

  /**
   * The page of messages before the oldest one held in a room.
   * @param {string | null} [roomName] the current room's, by default
   */
  async function loadOlder(roomName = state.current) {
    const r = room(roomName)
    if (!r || r.loadingOlder || !r.hasOlder || !canSend(r)) return
    const before = oldestId(r.messages)
    if (before === null) {
      r.hasOlder = false
      return
    }
    const gen = generation
    r.loadingOlder = true
    try {
      const result = await rpc.request('history', {
        room: r.name,
        before,
        limit: HISTORY_PAGE,
      })
      if (gen !== generation) return
      const older = toMessages(result.messages, r.name)
      r.messages = mergeMessages(r.messages, older, { trim: false }).messages
      const done = older.length < HISTORY_PAGE
      if (done) r.hasOlder = false
      if (r.truncated && (done || older.some((m) => m.id <= (r.gapAfter ?? 0)))) r.truncated = false
      settle(r)
    } catch (error) {
      if (!(error instanceof LostError)) state.notice = { kind: 'error', text: messageOf(error) }
    } finally {
      if (gen === generation) r.loadingOlder = false
    }
  }

  /** @param {string} roomName */
  function select(roomName) {
    const r = room(roomName)
    if (!r) return
    state.current = r.name
    r.unread = 0
  }

  /**
   * Joins a room by name (trimmed, lower case); resolves to null, or to why not.
   * @param {string} raw
   * @returns {Promise<string | null>}
   */
  async function join(raw) {
    const name = String(raw).trim().toLowerCase()
    const invalid = roomNameError(name)
    if (invalid) return invalid
    if (room(name)) {
      select(name)
      return null
    }
    if (state.connection !== 'connected' || state.resuming) {
      return 'Not connected: join the room once the connection is back.'
    }
    state.rooms.push(makeRoom(name))
    const r = state.rooms[state.rooms.length - 1]
    const gen = generation
    try {
      const result = await rpc.request('join', guest({ room: name }))
      if (gen === generation && state.rooms.includes(r)) {
        applyJoin(r, result)
        select(name)
        remember()
        refreshRooms()
      }
      return null
    } catch (error) {
      // Lost: the room stays, and is joined with the others on reconnect.
      if (error instanceof LostError) {
        remember()
        return null
      }
      state.rooms = state.rooms.filter((x) => x !== r)
      return messageOf(error)
    }
  }

  /** @param {string} roomName */
  async function leave(roomName) {
    const r = room(roomName)
    if (!r) return
    state.rooms = state.rooms.filter((x) => x !== r)
    if (state.current === r.name) {
      const next = room(GENERAL) ?? state.rooms[0] ?? null
      state.current = null
      if (next) select(next.name)
    }
    remember()
    if (r.joined && state.connection === 'connected') {
      try {
        await rpc.request('leave', { room: r.name })
      } catch {
        // Gone from the page either way; the server forgets it with the socket.
      }
      refreshRooms()
    }
  }

  // Asks which rooms have people in them.
  async function refreshRooms() {
    if (state.connection !== 'connected') return
    try {
      const result = await rpc.request('rooms', {})
      if (!Array.isArray(result.rooms)) return
      state.directory = result.rooms.filter(
        /** @returns {r is DirectoryEntry} */
        (r) => isRecord(r) && typeof r.room === 'string' && isInteger(r.members),
      )
    } catch {
      // The list stays as it was.
    }
  }

  // A guest took another name: leave the rooms and join them again under it,
  // so that the others see the new name among the members.
  async function rename() {
    if (auth || state.connection !== 'connected' || state.resuming || me() === joinedAs) return
    const gen = generation
    state.resuming = true
    const joined = state.rooms.filter((r) => r.joined)
    await Promise.all(
      joined.map((r) => rpc.request('leave', { room: r.name }).catch(() => null)),
    )
    if (gen !== generation) return
    await resume()
  }

  function dismiss() {
    state.notice = null
  }

  function close() {
    for (const timer of typingTimers) clearTimeout(timer)
    typingTimers.clear()
    rpc.close()
  }

  return {
    state,
    room,
    currentRoom,
    send,
    retry,
    typing,
    loadOlder,
    select,
    join,
    leave,
    refreshRooms,
    rename,
    dismiss,
    close,
    reconnectNow: () => rpc.reconnectNow(),
  }
}

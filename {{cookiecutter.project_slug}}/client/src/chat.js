// The websocket connection to the chat server.
//
// createChat() owns one WebSocket at a time: it connects, reconnects with
// exponential backoff (and some jitter, so that a room full of browsers does
// not come back all at once after a server restart), parses incoming JSON
// frames (an object, or an array: the answers to a batch) and hands them to
// onFrame, and reports the connection state to onState. What the frames mean
// (JSON-RPC 2.0) is rpc.js's business.
//
// States: 'connecting' (first attempt), 'connected', 'reconnecting' (waiting
// for or making a later attempt), 'closed' (after close()).
//
// A socket that closes before it ever opened is reported to onFailedOpen: the
// server refuses the upgrade (e.g. HTTP 401 when login is required) or is not
// there. The browser does not say which, so the caller may ask the server
// (GET /api/session) before the next attempt.
//
// A socket that had opened and then closed (the network dropped, the server
// restarted) is reported to onDrop, before the state turns 'reconnecting': the
// caller gives up waiting for answers on it.
//
// Nothing is queued: send() returns false when the socket is not open.

/**
 * @typedef {'connecting' | 'connected' | 'reconnecting' | 'closed'} ConnectionState
 */

/**
 * What createChat is told; everything has a default.
 * @typedef {object} ChatOptions
 * @property {string} [url] the websocket's: ws(s)://this host/ws
 * @property {(frame: object) => void} [onFrame] each JSON object or array that came in
 * @property {(state: ConnectionState) => void} [onState]
 * @property {(event: CloseEvent) => void} [onFailedOpen] a socket closed before it opened
 * @property {(event: Pick<CloseEvent, 'code'>) => void} [onDrop] an open socket closed
 * @property {typeof WebSocket} [WebSocketImpl]
 * @property {() => number} [random] a number in [0, 1), for the jitter
 * @property {Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null} [events]
 *   where 'online' events come from
 */

/**
 * The connection createChat keeps.
 * @typedef {object} Chat
 * @property {(frame: object) => boolean} send
 * @property {() => void} close
 * @property {() => void} reconnectNow
 * @property {ConnectionState} state
 */

export const MIN_DELAY = 500
export const MAX_DELAY = 10000

const CONNECTING = 0
const OPEN = 1

/**
 * @param {Pick<Location, 'protocol' | 'host'>} [loc]
 * @returns {string}
 */
export function socketUrl(loc = window.location) {
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws'
}

/**
 * The wait before the next attempt: between half of delay and delay.
 * @param {number} delay ms
 * @param {() => number} [random] a number in [0, 1)
 * @returns {number} ms
 */
export function jittered(delay, random = Math.random) {
  return Math.round(delay / 2 + (random() * delay) / 2)
}

/**
 * @param {ChatOptions} [options]
 * @returns {Chat}
 */
export function createChat({
  url = socketUrl(),
  onFrame = () => {},
  onState = () => {},
  onFailedOpen = () => {},
  onDrop = () => {},
  WebSocketImpl = globalThis.WebSocket,
  random = Math.random,
  // Where 'online' events come from: a browser that gets its network back
  // retries at once instead of waiting out the backoff.
  events = globalThis,
} = {}) {
  /** @type {WebSocket | null} */
  let ws = null
  /** @type {ConnectionState} */
  let state = 'connecting'
  let delay = MIN_DELAY
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null
  let closed = false
  let attempted = false

  /** @param {ConnectionState} next */
  function setState(next) {
    if (next !== state) {
      state = next
      onState(next)
    }
  }

  function connect() {
    timer = null
    if (closed) return
    setState(attempted ? 'reconnecting' : 'connecting')
    attempted = true
    let sock
    try {
      sock = new WebSocketImpl(url)
    } catch {
      scheduleReconnect()
      return
    }
    ws = sock
    let opened = false
    sock.onopen = () => {
      if (ws !== sock) return
      opened = true
      delay = MIN_DELAY
      setState('connected')
    }
    sock.onmessage = (event) => {
      if (ws !== sock) return
      /** @type {unknown} */
      let frame
      try {
        frame = JSON.parse(event.data)
      } catch {
        return
      }
      if (frame && typeof frame === 'object') onFrame(frame)
    }
    // An error is always followed by close; reconnecting happens there.
    sock.onerror = () => {}
    sock.onclose = (event) => {
      if (ws !== sock) return
      ws = null
      if (opened) onDrop(event)
      scheduleReconnect()
      if (!opened) onFailedOpen(event)
    }
  }

  function scheduleReconnect() {
    if (closed) return
    setState('reconnecting')
    const wait = jittered(delay, random)
    delay = Math.min(delay * 2, MAX_DELAY)
    timer = setTimeout(connect, wait)
  }

  // Try again now rather than when the backoff says; nothing happens while a
  // socket is open or opening.
  function reconnectNow() {
    if (closed || ws) return
    if (timer !== null) clearTimeout(timer)
    connect()
  }

  /**
   * Sends one frame (an object, as JSON). Returns false (and sends nothing)
   * when the socket is not open.
   * @param {object} frame
   * @returns {boolean}
   */
  function send(frame) {
    if (!ws || ws.readyState !== OPEN) return false
    try {
      ws.send(JSON.stringify(frame))
    } catch {
      return false
    }
    return true
  }

  function close() {
    closed = true
    if (timer !== null) clearTimeout(timer)
    timer = null
    events?.removeEventListener?.('online', reconnectNow)
    const sock = ws
    ws = null
    if (sock && (sock.readyState === CONNECTING || sock.readyState === OPEN)) sock.close()
    if (sock) onDrop({ code: 1000 })
    setState('closed')
  }

  events?.addEventListener?.('online', reconnectNow)
  connect()

  return {
    send,
    close,
    reconnectNow,
    get state() {
      return state
    },
  }
}

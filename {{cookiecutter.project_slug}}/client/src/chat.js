// The websocket connection to the chat server.
//
// createChat() owns one WebSocket at a time: it connects, reconnects with
// exponential backoff after every close, parses incoming JSON frames and hands
// them to onFrame, and reports the connection state to onState.
//
// States: 'connecting' (first attempt), 'connected', 'reconnecting' (waiting
// for or making a later attempt), 'closed' (after close()).

export const MIN_DELAY = 500
export const MAX_DELAY = 10000

const OPEN = 1

export function socketUrl(loc = window.location) {
  return (loc.protocol === 'https:' ? 'wss://' : 'ws://') + loc.host + '/ws'
}

export function createChat({
  url = socketUrl(),
  onFrame = () => {},
  onState = () => {},
  WebSocketImpl = globalThis.WebSocket,
} = {}) {
  let ws = null
  let state = 'connecting'
  let delay = MIN_DELAY
  let timer = null
  let closed = false
  let attempted = false

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
    sock.onopen = () => {
      if (ws !== sock) return
      delay = MIN_DELAY
      setState('connected')
    }
    sock.onmessage = (event) => {
      if (ws !== sock) return
      let frame
      try {
        frame = JSON.parse(event.data)
      } catch {
        return
      }
      if (frame && typeof frame === 'object' && !Array.isArray(frame)) onFrame(frame)
    }
    // An error is always followed by close; reconnecting happens there.
    sock.onerror = () => {}
    sock.onclose = () => {
      if (ws !== sock) return
      ws = null
      scheduleReconnect()
    }
  }

  function scheduleReconnect() {
    if (closed) return
    setState('reconnecting')
    const wait = delay
    delay = Math.min(delay * 2, MAX_DELAY)
    timer = setTimeout(connect, wait)
  }

  // Sends one chat message. Returns false (and sends nothing) when the socket
  // is not open, so the caller can keep the text and tell the user.
  function send(name, text) {
    if (!ws || ws.readyState !== OPEN) return false
    try {
      ws.send(JSON.stringify({ name, text }))
    } catch {
      return false
    }
    return true
  }

  function close() {
    closed = true
    if (timer !== null) clearTimeout(timer)
    timer = null
    const sock = ws
    ws = null
    if (sock) sock.close()
    setState('closed')
  }

  connect()

  return {
    send,
    close,
    get state() {
      return state
    },
  }
}

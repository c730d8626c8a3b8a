// A WebSocket stand-in that tests drive by hand: open(), receive(), drop().

export class FakeWebSocket {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSING = 2
  static CLOSED = 3
  // Every socket made, oldest first.
  static made = []

  static reset() {
    FakeWebSocket.made = []
  }

  static get last() {
    return FakeWebSocket.made[FakeWebSocket.made.length - 1]
  }

  constructor(url) {
    this.url = url
    this.readyState = FakeWebSocket.CONNECTING
    this.sent = []
    this.onopen = null
    this.onmessage = null
    this.onerror = null
    this.onclose = null
    FakeWebSocket.made.push(this)
  }

  send(data) {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error('not open')
    this.sent.push(data)
  }

  close() {
    this.readyState = FakeWebSocket.CLOSED
  }

  // What the server does:
  open() {
    this.readyState = FakeWebSocket.OPEN
    this.onopen?.({})
  }

  receive(data) {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) })
  }

  drop(code = 1006) {
    this.readyState = FakeWebSocket.CLOSED
    this.onerror?.({})
    this.onclose?.({ code })
  }

  // The JSON frames this socket sent.
  get frames() {
    return this.sent.map((s) => JSON.parse(s))
  }
}

// The server's side of JSON-RPC 2.0 on a fake socket.

// The requests (and notifications) it got, optionally of one method only.
export function requests(sock, method) {
  return sock.frames.filter((f) => method === undefined || f.method === method)
}

// The last request of that method.
export function lastRequest(sock, method) {
  const found = requests(sock, method)
  if (!found.length) throw new Error(`no ${method} request`)
  return found[found.length - 1]
}

export function answer(sock, request, result = {}) {
  sock.receive({ jsonrpc: '2.0', id: request.id, result })
}

export function refuse(sock, request, code, message) {
  sock.receive({ jsonrpc: '2.0', id: request.id, error: { code, message } })
}

export function notify(sock, method, params) {
  sock.receive({ jsonrpc: '2.0', method, params })
}

// Answers every join not answered yet: the room's messages (by room), its
// members.
export function answerJoins(sock, { messages = {}, members = ['ann'], truncated = {} } = {}) {
  const answered = sock.answered ?? (sock.answered = new Set())
  for (const join of requests(sock, 'join')) {
    if (answered.has(join.id)) continue
    answered.add(join.id)
    const room = join.params.room
    answer(sock, join, {
      room,
      messages: messages[room] ?? [],
      members,
      truncated: truncated[room] ?? false,
    })
  }
}

// A message as the server sends it.
export function msg(id, name, text, room = 'general', ts = 1764064800 + id) {
  return { id, room, name, text, ts }
}

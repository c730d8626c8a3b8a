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

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { MAX_DELAY, MIN_DELAY, createChat, jittered, socketUrl } from '../src/chat.js'
import { FakeWebSocket } from './fake-websocket.js'

let states
let frames
let failed
let drops
let events

function start(options = {}) {
  return createChat({
    url: 'ws://test/ws',
    WebSocketImpl: FakeWebSocket,
    random: () => 1, // no jitter: waits are exactly the backoff delay
    events,
    onState: (s) => states.push(s),
    onFrame: (f) => frames.push(f),
    onFailedOpen: () => failed++,
    onDrop: () => drops++,
    ...options,
  })
}

beforeEach(() => {
  vi.useFakeTimers()
  vi.spyOn(globalThis, 'setTimeout')
  FakeWebSocket.reset()
  states = []
  frames = []
  failed = 0
  drops = 0
  events = new EventTarget()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('socketUrl', () => {
  it('uses ws: for http pages and wss: for https pages', () => {
    expect(socketUrl({ protocol: 'http:', host: 'example.org:8080' })).toBe(
      'ws://example.org:8080/ws',
    )
    expect(socketUrl({ protocol: 'https:', host: 'example.org' })).toBe('wss://example.org/ws')
  })

  it('defaults to the page location', () => {
    expect(socketUrl()).toBe(`ws://${window.location.host}/ws`)
  })
})

describe('jittered', () => {
  it('waits between half the delay and the delay', () => {
    expect(jittered(1000, () => 0)).toBe(500)
    expect(jittered(1000, () => 1)).toBe(1000)
    const wait = jittered(1000)
    expect(wait).toBeGreaterThanOrEqual(500)
    expect(wait).toBeLessThanOrEqual(1000)
  })
})

describe('createChat', () => {
  it('connects, reports the state and hands over JSON objects and arrays', () => {
    const chat = start()
    expect(chat.state).toBe('connecting')
    expect(FakeWebSocket.made).toHaveLength(1)
    expect(FakeWebSocket.last.url).toBe('ws://test/ws')
    FakeWebSocket.last.open()
    expect(chat.state).toBe('connected')
    expect(states).toEqual(['connected'])
    FakeWebSocket.last.receive({ jsonrpc: '2.0', method: 'typing', params: {} })
    FakeWebSocket.last.receive('not json')
    FakeWebSocket.last.receive('[1, 2]')
    FakeWebSocket.last.receive('null')
    FakeWebSocket.last.receive('"text"')
    expect(frames).toEqual([{ jsonrpc: '2.0', method: 'typing', params: {} }, [1, 2]])
  })

  it('sends frames as JSON only while connected', () => {
    const chat = start()
    expect(chat.send({ n: 'too early' })).toBe(false)
    FakeWebSocket.last.open()
    expect(chat.send({ jsonrpc: '2.0', method: 'rooms' })).toBe(true)
    expect(FakeWebSocket.last.frames).toEqual([{ jsonrpc: '2.0', method: 'rooms' }])
    FakeWebSocket.last.drop()
    expect(chat.send({ n: 'offline' })).toBe(false)
  })

  it('reports a drop of an open socket, not a failed attempt', () => {
    const chat = start()
    FakeWebSocket.last.drop()
    expect(drops).toBe(0)
    vi.advanceTimersByTime(500)
    FakeWebSocket.last.open()
    FakeWebSocket.last.drop()
    expect(drops).toBe(1)
    vi.advanceTimersByTime(500)
    FakeWebSocket.last.open()
    chat.close()
    expect(drops).toBe(2)
  })

  it('says so when a send fails', () => {
    const chat = start()
    FakeWebSocket.last.open()
    FakeWebSocket.last.send = () => {
      throw new Error('gone')
    }
    expect(chat.send({ n: 'hello' })).toBe(false)
  })

  it('reconnects with a doubling backoff up to the maximum', () => {
    const chat = start()
    for (let i = 0; i < 8; i++) {
      FakeWebSocket.last.drop()
      expect(chat.state).toBe('reconnecting')
      const before = FakeWebSocket.made.length
      vi.advanceTimersByTime(lastWait() - 1)
      expect(FakeWebSocket.made).toHaveLength(before)
      vi.advanceTimersByTime(1)
      expect(FakeWebSocket.made).toHaveLength(before + 1)
    }
    expect(waits()).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000])
    expect(waits()[0]).toBe(MIN_DELAY)
    expect(lastWait()).toBe(MAX_DELAY)
    expect(states).toEqual(['reconnecting'])
  })

  it('starts the backoff over once a connection opened', () => {
    start()
    FakeWebSocket.last.drop()
    vi.advanceTimersByTime(500)
    FakeWebSocket.last.drop()
    vi.advanceTimersByTime(1000)
    FakeWebSocket.last.open()
    FakeWebSocket.last.drop()
    expect(waits()).toEqual([500, 1000, MIN_DELAY])
    expect(states).toEqual(['reconnecting', 'connected', 'reconnecting'])
  })

  it('spreads the waits of many browsers', () => {
    start({ random: () => 0 })
    FakeWebSocket.last.drop()
    expect(lastWait()).toBe(MIN_DELAY / 2)
  })

  it('comes back after a server restart and can send again', () => {
    const chat = start()
    FakeWebSocket.last.open()
    FakeWebSocket.last.drop(1001) // the server is shutting down
    expect(chat.state).toBe('reconnecting')
    vi.advanceTimersByTime(500)
    FakeWebSocket.last.drop() // still down
    vi.advanceTimersByTime(1000)
    FakeWebSocket.last.open() // back
    expect(chat.state).toBe('connected')
    expect(chat.send({ n: 'back' })).toBe(true)
    expect(FakeWebSocket.made).toHaveLength(3)
  })

  it('reports a socket that closed before it opened', () => {
    start()
    FakeWebSocket.last.drop()
    expect(failed).toBe(1)
    vi.advanceTimersByTime(500)
    FakeWebSocket.last.open()
    FakeWebSocket.last.drop()
    expect(failed).toBe(1)
  })

  it('retries when the socket cannot even be made', () => {
    let refuse = true
    class Picky extends FakeWebSocket {
      constructor(url) {
        if (refuse) throw new Error('bad url')
        super(url)
      }
    }
    const chat = start({ WebSocketImpl: Picky })
    expect(chat.state).toBe('reconnecting')
    refuse = false
    vi.advanceTimersByTime(500)
    FakeWebSocket.last.open()
    expect(chat.state).toBe('connected')
  })

  it('ignores a socket it has let go of', () => {
    const chat = start()
    const old = FakeWebSocket.last
    old.drop()
    old.open()
    old.receive({ type: 'message' })
    old.drop()
    expect(chat.state).toBe('reconnecting')
    expect(frames).toEqual([])
    expect(vi.getTimerCount()).toBe(1)
  })

  it('reconnects at once when asked, or when the network comes back', () => {
    const chat = start()
    chat.reconnectNow() // already connecting: nothing to do
    expect(FakeWebSocket.made).toHaveLength(1)
    FakeWebSocket.last.drop()
    chat.reconnectNow()
    expect(FakeWebSocket.made).toHaveLength(2)
    expect(vi.getTimerCount()).toBe(0)
    FakeWebSocket.last.drop()
    events.dispatchEvent(new Event('online'))
    expect(FakeWebSocket.made).toHaveLength(3)
    FakeWebSocket.last.open()
    events.dispatchEvent(new Event('online'))
    expect(FakeWebSocket.made).toHaveLength(3)
  })

  it('stops for good on close', () => {
    const chat = start()
    FakeWebSocket.last.open()
    const sock = FakeWebSocket.last
    chat.close()
    expect(sock.readyState).toBe(FakeWebSocket.CLOSED)
    expect(chat.state).toBe('closed')
    expect(states).toEqual(['connected', 'closed'])
    sock.drop()
    chat.reconnectNow()
    events.dispatchEvent(new Event('online'))
    vi.runAllTimers()
    expect(FakeWebSocket.made).toHaveLength(1)
    expect(chat.send({ n: 'hello' })).toBe(false)
  })

  it('cancels a pending reconnect on close', () => {
    const chat = start()
    FakeWebSocket.last.drop()
    chat.close()
    expect(vi.getTimerCount()).toBe(0)
    vi.runAllTimers()
    expect(FakeWebSocket.made).toHaveLength(1)
  })

  it('works with the defaults of a browser page', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket)
    const chat = createChat()
    expect(FakeWebSocket.last.url).toBe(socketUrl())
    FakeWebSocket.last.open()
    FakeWebSocket.last.receive({ type: 'message' })
    FakeWebSocket.last.drop()
    window.dispatchEvent(new Event('online'))
    expect(FakeWebSocket.made).toHaveLength(2)
    chat.close()
    vi.unstubAllGlobals()
  })
})

// The waits of the reconnect timers set so far, and the last one.
function waits() {
  return setTimeout.mock.calls.map((call) => call[1])
}

function lastWait() {
  return waits().at(-1)
}

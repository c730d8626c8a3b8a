import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { LostError, RATE, RpcError, WINDOW_MS, createRpc } from '../src/rpc.js'
import { FakeWebSocket, answer, notify, refuse } from './fake-websocket.js'

let notes
let errors
let drops

function start(options = {}) {
  return createRpc({
    url: 'ws://test/ws',
    WebSocketImpl: FakeWebSocket,
    random: () => 1,
    events: new EventTarget(),
    onNotification: (method, params) => notes.push([method, params]),
    onError: (e) => errors.push(e),
    onDrop: () => drops++,
    ...options,
  })
}

function sock() {
  return FakeWebSocket.last
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
  notes = []
  errors = []
  drops = 0
})

afterEach(() => {
  vi.useRealTimers()
})

describe('createRpc', () => {
  it('sends requests with increasing ids and resolves them by their results', async () => {
    const rpc = start()
    sock().open()
    const one = rpc.request('join', { room: 'general' })
    const two = rpc.request('rooms')
    expect(sock().frames).toEqual([
      { jsonrpc: '2.0', id: 1, method: 'join', params: { room: 'general' } },
      { jsonrpc: '2.0', id: 2, method: 'rooms', params: {} },
    ])
    expect(rpc.pending).toBe(2)
    // answers may come in any order
    answer(sock(), { id: 2 }, { rooms: [] })
    answer(sock(), { id: 1 }, { room: 'general' })
    await expect(one).resolves.toEqual({ room: 'general' })
    await expect(two).resolves.toEqual({ rooms: [] })
    expect(rpc.pending).toBe(0)
  })

  it('rejects a request with the server error, code and message', async () => {
    const rpc = start()
    sock().open()
    const joined = rpc.request('join', { room: 'Bad' })
    refuse(sock(), { id: 1 }, -32602, 'room: 1-32 characters: a-z, 0-9, - and _')
    const error = await joined.catch((e) => e)
    expect(error).toBeInstanceOf(RpcError)
    expect(error.code).toBe(-32602)
    expect(error.message).toBe('room: 1-32 characters: a-z, 0-9, - and _')
    expect(error.lost).toBeUndefined()
  })

  it('makes do with an odd error', async () => {
    const rpc = start()
    sock().open()
    const asked = rpc.request('send')
    sock().receive({ jsonrpc: '2.0', id: 1, error: 'no' })
    const error = await asked.catch((e) => e)
    expect([error.code, error.message]).toEqual([0, 'error'])
  })

  it('rejects every pending request when the socket drops', async () => {
    const rpc = start()
    sock().open()
    const asked = [rpc.request('send', { text: 'a' }), rpc.request('send', { text: 'b' })]
    sock().drop()
    for (const a of asked) {
      const error = await a.catch((e) => e)
      expect(error).toBeInstanceOf(LostError)
      expect(error.lost).toBe(true)
    }
    expect(drops).toBe(1)
    expect(rpc.pending).toBe(0)
    // a late answer on a new socket resolves nothing
    vi.advanceTimersByTime(500)
    sock().open()
    answer(sock(), { id: 1 }, {})
    expect(rpc.pending).toBe(0)
  })

  it('rejects at once while not connected', async () => {
    const rpc = start()
    await expect(rpc.request('rooms')).rejects.toBeInstanceOf(LostError)
    expect(rpc.notify('typing', { room: 'general' })).toBe(false)
  })

  it('rejects when the socket will not take the frame', async () => {
    const rpc = start()
    sock().open()
    sock().send = () => {
      throw new Error('gone')
    }
    await expect(rpc.request('rooms')).rejects.toBeInstanceOf(LostError)
    expect(rpc.pending).toBe(0)
  })

  it('hands notifications over by method', () => {
    const rpc = start()
    sock().open()
    notify(sock(), 'message', { id: 1, room: 'general', name: 'ann', text: 'hi', ts: 1 })
    notify(sock(), 'typing', { room: 'general', name: 'bob' })
    sock().receive({ jsonrpc: '2.0', method: 'presence' })
    sock().receive({ method: 'not json-rpc', params: {} })
    sock().receive({ jsonrpc: '2.0', id: 99, result: {} }) // answers nothing
    expect(notes).toEqual([
      ['message', { id: 1, room: 'general', name: 'ann', text: 'hi', ts: 1 }],
      ['typing', { room: 'general', name: 'bob' }],
      ['presence', {}],
    ])
    expect(rpc.notify('typing', { room: 'general' })).toBe(true)
    expect(sock().frames).toEqual([
      { jsonrpc: '2.0', method: 'typing', params: { room: 'general' } },
    ])
  })

  it('reports an error that answers no request', () => {
    start()
    sock().open()
    sock().receive({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'the message is not JSON' },
    })
    expect(errors.map((e) => [e.code, e.message])).toEqual([[-32700, 'the message is not JSON']])
  })

  it('takes the answers to a batch', async () => {
    const rpc = start()
    sock().open()
    const a = rpc.request('rooms')
    const b = rpc.request('leave', { room: 'x' })
    sock().receive([
      { jsonrpc: '2.0', id: 1, result: { rooms: [] } },
      'junk',
      { jsonrpc: '2.0', id: 2, error: { code: -32003, message: 'no' } },
    ])
    await expect(a).resolves.toEqual({ rooms: [] })
    await expect(b).rejects.toBeInstanceOf(RpcError)
  })

  it('keeps under the flood limit: requests wait, notifications are dropped', async () => {
    const rpc = start()
    const s = sock()
    s.open()
    const asked = []
    for (let i = 0; i < RATE + 3; i++) asked.push(rpc.request('send', { text: String(i) }))
    for (const a of asked) a.catch(() => {})
    expect(s.frames).toHaveLength(RATE)
    expect(rpc.notify('typing', { room: 'general' })).toBe(false)
    vi.advanceTimersByTime(WINDOW_MS / 2)
    expect(s.frames).toHaveLength(RATE)
    vi.advanceTimersByTime(WINDOW_MS / 2 + 1)
    expect(s.frames).toHaveLength(RATE + 3)
    expect(s.frames.map((f) => f.params.text)).toEqual(asked.map((_, i) => String(i)))
    // the queue is given up with the socket
    for (let i = 0; i < RATE + 2; i++) rpc.request('send', { text: 'more' }).catch(() => {})
    s.drop()
    vi.advanceTimersByTime(WINDOW_MS * 2)
    expect(s.frames).toHaveLength(RATE + 3 + 5)
    expect(FakeWebSocket.last.frames).toEqual([])
  })

  it('gives up a queue whose socket will not take the frames', async () => {
    const rpc = start()
    sock().open()
    const asked = []
    for (let i = 0; i < RATE + 1; i++) asked.push(rpc.request('send', { text: String(i) }))
    for (const a of asked) a.catch(() => {})
    sock().send = () => {
      throw new Error('gone')
    }
    vi.advanceTimersByTime(WINDOW_MS + 1)
    await expect(asked.at(-1)).rejects.toBeInstanceOf(LostError)
    await expect(asked[0]).rejects.toBeInstanceOf(LostError)
  })

  it('closes for good, failing what waits', async () => {
    const rpc = start()
    sock().open()
    const asked = rpc.request('rooms')
    rpc.close()
    await expect(asked).rejects.toBeInstanceOf(LostError)
    expect(rpc.state).toBe('closed')
    rpc.reconnectNow()
    expect(FakeWebSocket.made).toHaveLength(1)
  })

  it('works with its defaults', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket)
    const rpc = createRpc()
    sock().open()
    notify(sock(), 'status', { status: 'ok' })
    sock().receive({ jsonrpc: '2.0', id: null, error: { code: 1, message: 'x' } })
    sock().drop()
    rpc.close()
    vi.unstubAllGlobals()
  })
})

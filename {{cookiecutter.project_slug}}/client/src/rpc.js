// JSON-RPC 2.0 over the chat's websocket (chat.js keeps the socket up).
//
// request(method, params) sends {"jsonrpc": "2.0", "id": n, ...} and returns a
// promise: resolved with the result, rejected with an RpcError for the
// server's error, or with a LostError when the answer cannot come (the socket
// was not open, or it closed before the answer). notify(method, params) sends
// a notification (no id, no answer). Notifications from the server go to
// onNotification(method, params); an error that answers no request (id null:
// e.g. a frame the server could not parse) goes to onError.
//
// The server counts every frame against its flood limit (10 a second), so
// frames go out at most RATE a second: requests over that wait their turn,
// notifications over it (typing) are dropped.

import { createChat } from './chat.js'

export const RATE = 8
export const WINDOW_MS = 1000

// The server's answer was an error.
export class RpcError extends Error {
  constructor(code, message) {
    super(message)
    this.name = 'RpcError'
    this.code = code
  }
}

// No answer will come: the socket was not open, or it closed first. A send
// that failed so may be sent again (with its client_id) once connected.
export class LostError extends Error {
  constructor(message = 'the connection dropped before the server answered') {
    super(message)
    this.name = 'LostError'
    this.lost = true
  }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

export function createRpc({
  onNotification = () => {},
  onError = () => {},
  onState = () => {},
  onDrop = () => {},
  now = () => Date.now(),
  ...chatOptions
} = {}) {
  let nextId = 1
  // id -> { resolve, reject }
  const pending = new Map()
  // frames waiting for the flood budget, and when the last ones went out
  let queue = []
  let sentAt = []
  let timer = null

  function failAll() {
    const waiting = [...pending.values()]
    pending.clear()
    queue = []
    if (timer !== null) clearTimeout(timer)
    timer = null
    for (const { reject } of waiting) reject(new LostError())
  }

  const chat = createChat({
    ...chatOptions,
    onFrame,
    onState,
    onDrop: (event) => {
      failAll()
      onDrop(event)
    },
  })

  function onFrame(frame) {
    if (Array.isArray(frame)) {
      for (const one of frame) if (isObject(one)) onOne(one)
    } else {
      onOne(frame)
    }
  }

  function onOne(frame) {
    if (frame.jsonrpc !== '2.0') return
    if (typeof frame.method === 'string' && !('id' in frame)) {
      onNotification(frame.method, isObject(frame.params) ? frame.params : {})
      return
    }
    const waiter = frame.id == null ? undefined : pending.get(frame.id)
    if ('error' in frame) {
      const error = isObject(frame.error) ? frame.error : {}
      const failure = new RpcError(
        Number.isInteger(error.code) ? error.code : 0,
        typeof error.message === 'string' && error.message ? error.message : 'error',
      )
      if (waiter) {
        pending.delete(frame.id)
        waiter.reject(failure)
      } else {
        onError(failure)
      }
    } else if (waiter && 'result' in frame) {
      pending.delete(frame.id)
      waiter.resolve(isObject(frame.result) ? frame.result : {})
    }
  }

  // The frames allowed out now by the budget.
  function budget() {
    const start = now() - WINDOW_MS
    sentAt = sentAt.filter((t) => t > start)
    return RATE - sentAt.length
  }

  function write(frame) {
    if (!chat.send(frame)) return false
    sentAt.push(now())
    return true
  }

  function flush() {
    timer = null
    while (queue.length && budget() > 0) {
      const frame = queue.shift()
      if (!write(frame)) {
        failAll()
        return
      }
    }
    if (queue.length) timer = setTimeout(flush, Math.max(1, sentAt[0] + WINDOW_MS - now() + 1))
  }

  function request(method, params = {}) {
    if (chat.state !== 'connected') return Promise.reject(new LostError('not connected'))
    const id = nextId++
    const frame = { jsonrpc: '2.0', id, method, params }
    const answer = new Promise((resolve, reject) => pending.set(id, { resolve, reject }))
    if (queue.length || budget() <= 0) {
      queue.push(frame)
      if (timer === null) flush()
    } else if (!write(frame)) {
      pending.delete(id)
      return Promise.reject(new LostError('not connected'))
    }
    return answer
  }

  // Returns whether the notification went out (it is dropped when the flood
  // budget is spent, or the socket is not open).
  function notify(method, params = {}) {
    if (queue.length || budget() <= 0) return false
    return write({ jsonrpc: '2.0', method, params })
  }

  function close() {
    chat.close()
    failAll()
  }

  return {
    request,
    notify,
    close,
    reconnectNow: () => chat.reconnectNow(),
    get state() {
      return chat.state
    },
    get pending() {
      return pending.size
    },
  }
}

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
import { isInteger, isRecord } from './json.js'

/** @import { ChatOptions, ConnectionState } from './chat.js' */

/**
 * The params of a request or a notification, and the result of an answer: a
 * JSON object (what is in it is checked where it is used).
 * @typedef {Record<string, unknown>} Params
 */

/**
 * A request: the server answers it with a ResponseFrame of the same id.
 * @typedef {object} RequestFrame
 * @property {'2.0'} jsonrpc
 * @property {number} id
 * @property {string} method
 * @property {Params} params
 */

/**
 * A notification: no id, no answer (the page's typing; the server's message,
 * presence, typing and status).
 * @typedef {object} NotificationFrame
 * @property {'2.0'} jsonrpc
 * @property {string} method
 * @property {Params} params
 */

/**
 * @typedef {object} ErrorObject
 * @property {number} code
 * @property {string} message
 * @property {unknown} [data]
 */

/**
 * The server's answer to a request: a result, or an error (id null: an error
 * that answers no request, e.g. to a frame the server could not parse).
 * @typedef {{ jsonrpc: '2.0', id: number, result: Params }
 *   | { jsonrpc: '2.0', id: number | null, error: ErrorObject }} ResponseFrame
 */

/**
 * One frame over the socket; the server may also send a batch: an array of
 * ResponseFrames.
 * @typedef {RequestFrame | NotificationFrame | ResponseFrame} Frame
 */

/**
 * What createRpc is told; everything has a default, and the rest goes to
 * createChat.
 * @typedef {Omit<ChatOptions, 'onFrame' | 'onState' | 'onDrop'> & {
 *   onNotification?: (method: string, params: Params) => void,
 *   onError?: (error: RpcError) => void,
 *   onState?: (state: ConnectionState) => void,
 *   onDrop?: (event: Pick<CloseEvent, 'code'>) => void,
 *   now?: () => number,
 * }} RpcOptions
 */

/**
 * @typedef {object} Rpc
 * @property {(method: string, params?: Params) => Promise<Params>} request
 * @property {(method: string, params?: Params) => boolean} notify
 * @property {() => void} close
 * @property {() => void} reconnectNow
 * @property {ConnectionState} state
 * @property {number} pending how many requests wait for an answer
 */

export const RATE = 8
export const WINDOW_MS = 1000

// The server's answer was an error.
export class RpcError extends Error {
  /**
   * @param {number} code
   * @param {string} message
   */
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

/**
 * @param {RpcOptions} [options]
 * @returns {Rpc}
 */
export function createRpc({
  onNotification = () => {},
  onError = () => {},
  onState = () => {},
  onDrop = () => {},
  now = () => Date.now(),
  ...chatOptions
} = {}) {
  let nextId = 1
  /** @type {Map<number, { resolve: (result: Params) => void, reject: (error: Error) => void }>} */
  const pending = new Map()
  // frames waiting for the flood budget, and when the last ones went out
  /** @type {RequestFrame[]} */
  let queue = []
  /** @type {number[]} */
  let sentAt = []
  /** @type {ReturnType<typeof setTimeout> | null} */
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

  /** @param {object} frame a JSON object or array */
  function onFrame(frame) {
    if (Array.isArray(frame)) {
      for (const one of frame) if (isRecord(one)) onOne(one)
    } else if (isRecord(frame)) {
      onOne(frame)
    }
  }

  /** @param {Record<string, unknown>} frame what came: checked here */
  function onOne(frame) {
    if (frame.jsonrpc !== '2.0') return
    if (typeof frame.method === 'string' && !('id' in frame)) {
      onNotification(frame.method, isRecord(frame.params) ? frame.params : {})
      return
    }
    // the request this answers (ids start at 1: no request has 0)
    const id = isInteger(frame.id) ? frame.id : 0
    const waiter = pending.get(id)
    if ('error' in frame) {
      const error = isRecord(frame.error) ? frame.error : {}
      const failure = new RpcError(
        isInteger(error.code) ? error.code : 0,
        typeof error.message === 'string' && error.message ? error.message : 'error',
      )
      if (waiter) {
        pending.delete(id)
        waiter.reject(failure)
      } else {
        onError(failure)
      }
    } else if (waiter && 'result' in frame) {
      pending.delete(id)
      waiter.resolve(isRecord(frame.result) ? frame.result : {})
    }
  }

  /**
   * The frames allowed out now by the budget.
   * @returns {number}
   */
  function budget() {
    const start = now() - WINDOW_MS
    sentAt = sentAt.filter((t) => t > start)
    return RATE - sentAt.length
  }

  /**
   * @param {RequestFrame | NotificationFrame} frame
   * @returns {boolean} whether it went out
   */
  function write(frame) {
    if (!chat.send(frame)) return false
    sentAt.push(now())
    return true
  }

  function flush() {
    timer = null
    while (queue.length && budget() > 0) {
      const frame = /** @type {RequestFrame} */ (queue.shift())
      if (!write(frame)) {
        failAll()
        return
      }
    }
    if (queue.length) timer = setTimeout(flush, Math.max(1, sentAt[0] + WINDOW_MS - now() + 1))
  }

  /**
   * @param {string} method
   * @param {Params} [params]
   * @returns {Promise<Params>} the result
   */
  function request(method, params = {}) {
    if (chat.state !== 'connected') return Promise.reject(new LostError('not connected'))
    const id = nextId++
    /** @type {RequestFrame} */
    const frame = { jsonrpc: '2.0', id, method, params }
    /** @type {Promise<Params>} */
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

  /**
   * Returns whether the notification went out (it is dropped when the flood
   * budget is spent, or the socket is not open).
   * @param {string} method
   * @param {Params} [params]
   * @returns {boolean}
   */
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

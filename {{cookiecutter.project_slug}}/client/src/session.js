// Who the browser is: GET /api/session answers {"auth": <login required?>,
// "user": <name or null>}, and with login "xsrf": the token the logout form
// posts. Without login (auth false) anyone may chat under a name of their
// choosing; with login the server names the user and the websocket refuses
// a browser that is not logged in.

import { isRecord } from './json.js'

export const SESSION_URL = '/api/session'
export const LOGIN_URL = '/login'
export const LOGOUT_URL = '/logout'

/**
 * What GET /api/session says, checked.
 * @typedef {object} Session
 * @property {boolean} auth login is required
 * @property {string | null} user the logged-in user's name
 * @property {string | null} xsrf the token the logout form posts
 */

/**
 * The session, or null when the server could not tell (it is down, or too
 * old to have /api/session).
 * @param {typeof fetch} [fetchImpl]
 * @returns {Promise<Session | null>}
 */
export async function fetchSession(fetchImpl = globalThis.fetch) {
  try {
    const response = await fetchImpl(SESSION_URL, {
      cache: 'no-store',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    })
    if (!response.ok) return null
    /** @type {unknown} */
    const data = await response.json()
    if (!isRecord(data)) return null
    const user = typeof data.user === 'string' && data.user ? data.user : null
    const xsrf = typeof data.xsrf === 'string' && data.xsrf ? data.xsrf : null
    return { auth: data.auth === true, user, xsrf }
  } catch {
    return null
  }
}

/**
 * Login is required and this browser is not logged in.
 * @param {Session | null} session
 * @returns {boolean}
 */
export function needsLogin(session) {
  return Boolean(session && session.auth && !session.user)
}

/** @param {Pick<Location, 'assign'>} [loc] */
export function goToLogin(loc = window.location) {
  loc.assign(LOGIN_URL)
}

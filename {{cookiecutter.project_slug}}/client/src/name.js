// The chat name of a browser without login, remembered in localStorage.

export const NAME_KEY = 'chat.name'
export const MAX_NAME = 40

/**
 * Where the name is kept: localStorage, or what a test puts there.
 * @typedef {Pick<Storage, 'getItem' | 'setItem'>} NameStorage
 */

/**
 * A name for a first visit, so that two newcomers are not both 'guest'.
 * @param {() => number} [random] a number in [0, 1)
 * @returns {string}
 */
export function guestName(random = Math.random) {
  return 'guest-' + String(Math.floor(random() * 10000)).padStart(4, '0')
}

/**
 * The name remembered, or ''.
 * @param {NameStorage} [storage]
 * @returns {string}
 */
export function loadName(storage = globalThis.localStorage) {
  try {
    return storage.getItem(NAME_KEY) || ''
  } catch {
    // Storage may be unavailable (private mode, blocked cookies).
    return ''
  }
}

/**
 * @param {string} name
 * @param {NameStorage} [storage]
 */
export function saveName(name, storage = globalThis.localStorage) {
  try {
    storage.setItem(NAME_KEY, name)
  } catch {
    // The name still works for this page.
  }
}

// The chat name of a browser without login, remembered in localStorage.

export const NAME_KEY = 'chat.name'
export const MAX_NAME = 40

// A name for a first visit, so that two newcomers are not both 'guest'.
export function guestName(random = Math.random) {
  return 'guest-' + String(Math.floor(random() * 10000)).padStart(4, '0')
}

export function loadName(storage = globalThis.localStorage) {
  try {
    return storage.getItem(NAME_KEY) || ''
  } catch {
    // Storage may be unavailable (private mode, blocked cookies).
    return ''
  }
}

export function saveName(name, storage = globalThis.localStorage) {
  try {
    storage.setItem(NAME_KEY, name)
  } catch {
    // The name still works for this page.
  }
}

// What the server sends is JSON, and JSON is anything until it is checked:
// frames, results and notifications are read as `unknown` and go through these
// checks, which also tell the type checker (`npm run typecheck`) what they found.

/**
 * A JSON object (not null, not an array).
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
export function isRecord(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * An integer that a number holds exactly (an id, a count).
 * @param {unknown} value
 * @returns {value is number}
 */
export function isInteger(value) {
  return Number.isSafeInteger(value)
}

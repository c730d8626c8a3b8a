import { describe, expect, it } from 'vitest'
import {
  MAX_MESSAGES,
  appendMessage,
  fromHistory,
  isoTime,
  shortTime,
  toMessage,
} from '../src/messages.js'

describe('toMessage', () => {
  it('keeps name, text and time, with a fresh id', () => {
    const a = toMessage({ name: 'ann', text: 'hi', ts: 10 })
    const b = toMessage({ name: 'ann', text: 'hi', ts: 10 })
    expect(a).toMatchObject({ name: 'ann', text: 'hi', ts: 10 })
    expect(a.id).not.toBe(b.id)
  })

  it('makes strings of odd fields and stamps a missing time', () => {
    const before = Date.now() / 1000
    const m = toMessage({ name: 7, text: { a: 1 }, ts: 'soon' })
    expect(m.name).toBe('7')
    expect(m.text).toBe('[object Object]')
    expect(m.ts).toBeGreaterThanOrEqual(before)
    expect(toMessage({}).name).toBe('')
  })
})

describe('appendMessage and fromHistory', () => {
  it('adds at the end and keeps the last MAX_MESSAGES', () => {
    let list = []
    for (let i = 0; i < MAX_MESSAGES + 3; i++) {
      list = appendMessage(list, { name: 'n', text: String(i), ts: i })
    }
    expect(list).toHaveLength(MAX_MESSAGES)
    expect(list[0].text).toBe('3')
    expect(list.at(-1).text).toBe(String(MAX_MESSAGES + 2))
  })

  it('replaces the transcript with the history', () => {
    const shown = appendMessage([], { name: 'old', text: 'x', ts: 1 })
    const history = {
      type: 'history',
      messages: [{ name: 'ann', text: 'one', ts: 1 }, null, 'junk', { name: 'bob', text: 'two' }],
    }
    const list = fromHistory(shown, history)
    expect(list.map((m) => m.text)).toEqual(['one', 'two'])
    const long = { messages: Array.from({ length: MAX_MESSAGES + 1 }, (_, i) => ({ text: i })) }
    expect(fromHistory([], long)[0].text).toBe('1')
  })

  it('leaves the transcript alone for a history without messages', () => {
    const shown = appendMessage([], { name: 'ann', text: 'x', ts: 1 })
    expect(fromHistory(shown, { type: 'history' })).toBe(shown)
  })
})

describe('shortTime', () => {
  it('shows hours and minutes today, and the date before', () => {
    const now = new Date(2025, 10, 25, 15, 30)
    const today = new Date(2025, 10, 25, 9, 5).getTime() / 1000
    const yesterday = new Date(2025, 10, 24, 23, 59).getTime() / 1000
    expect(shortTime(today, now)).toBe('09:05')
    expect(shortTime(yesterday, now)).toBe('2025-11-24 23:59')
    expect(shortTime(Date.now() / 1000)).toMatch(/^\d\d:\d\d$/)
  })

  it('gives a machine-readable time too', () => {
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z')
  })
})

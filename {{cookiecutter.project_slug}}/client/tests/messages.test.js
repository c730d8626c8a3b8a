import { describe, expect, it } from 'vitest'
import {
  MAX_MESSAGES,
  isoTime,
  mergeMessages,
  newestId,
  oldestId,
  shortTime,
  toMessage,
  toMessages,
} from '../src/messages.js'

const m = (id, text = String(id)) => toMessage({ id, room: 'general', name: 'ann', text, ts: id })

describe('toMessage', () => {
  it('keeps id, room, name, text and time', () => {
    expect(toMessage({ id: 7, room: 'general', name: 'ann', text: 'hi', ts: 10.5 })).toEqual({
      id: 7,
      room: 'general',
      name: 'ann',
      text: 'hi',
      ts: 10.5,
    })
  })

  it('makes strings of odd fields and stamps a missing time', () => {
    const before = Date.now() / 1000
    const odd = toMessage({ id: 1, name: 7, text: { a: 1 }, ts: 'soon' }, 'games')
    expect(odd.room).toBe('games')
    expect(odd.name).toBe('7')
    expect(odd.text).toBe('[object Object]')
    expect(odd.ts).toBeGreaterThanOrEqual(before)
    expect(toMessage({ id: 2 })).toMatchObject({ room: '', name: '', text: '' })
  })

  it('refuses a message without an integer id', () => {
    expect(toMessage({ name: 'ann' })).toBeNull()
    expect(toMessage({ id: '3' })).toBeNull()
    expect(toMessage({ id: 1.5 })).toBeNull()
    expect(toMessage(null)).toBeNull()
    expect(toMessages([{ id: 1 }, null, 'junk', { id: 'x' }, { id: 2 }]).map((x) => x.id)).toEqual(
      [1, 2],
    )
    expect(toMessages('junk')).toEqual([])
  })
})

describe('mergeMessages', () => {
  it('adds new messages at the end, in id order', () => {
    const { messages, added } = mergeMessages([m(1), m(2)], [m(4), m(3)])
    expect(messages.map((x) => x.id)).toEqual([1, 2, 3, 4])
    expect(added.map((x) => x.id)).toEqual([3, 4])
    expect([oldestId(messages), newestId(messages)]).toEqual([1, 4])
    expect([oldestId([]), newestId([])]).toEqual([null, null])
  })

  it('skips the ids it holds, and changes nothing when all are held', () => {
    const held = [m(1), m(2)]
    const same = mergeMessages(held, [m(2, 'again'), m(1)])
    expect(same.messages).toBe(held)
    expect(same.added).toEqual([])
    const twice = mergeMessages(held, [m(3), m(3)])
    expect(twice.messages.map((x) => x.id)).toEqual([1, 2, 3])
  })

  it('puts older messages first', () => {
    const { messages } = mergeMessages([m(10), m(11)], [m(5), m(9)])
    expect(messages.map((x) => x.id)).toEqual([5, 9, 10, 11])
  })

  it('keeps the last MAX_MESSAGES, unless told not to trim', () => {
    let list = []
    for (let i = 1; i <= MAX_MESSAGES + 3; i++) list = mergeMessages(list, [m(i)]).messages
    expect(list).toHaveLength(MAX_MESSAGES)
    expect(list[0].id).toBe(4)
    const older = mergeMessages(list, [m(1), m(2)], { trim: false }).messages
    expect(older).toHaveLength(MAX_MESSAGES + 2)
    expect(older[0].id).toBe(1)
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

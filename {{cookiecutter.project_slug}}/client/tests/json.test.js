import { describe, expect, it } from 'vitest'
import { isInteger, isRecord } from '../src/json.js'

describe('isRecord', () => {
  it('is true for a JSON object only', () => {
    expect(isRecord({})).toBe(true)
    expect(isRecord({ id: 1 })).toBe(true)
    for (const other of [null, undefined, [], [{}], 'text', 1, true]) {
      expect(isRecord(other)).toBe(false)
    }
  })
})

describe('isInteger', () => {
  it('is true for an integer a number holds exactly', () => {
    expect(isInteger(0)).toBe(true)
    expect(isInteger(-32600)).toBe(true)
    expect(isInteger(Number.MAX_SAFE_INTEGER)).toBe(true)
    for (const other of [1.5, '3', null, NaN, Infinity, 2 ** 53, [1]]) {
      expect(isInteger(other)).toBe(false)
    }
  })
})

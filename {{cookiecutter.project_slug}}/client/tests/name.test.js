import { beforeEach, describe, expect, it } from 'vitest'
import { NAME_KEY, guestName, loadName, saveName } from '../src/name.js'

const broken = {
  getItem() {
    throw new Error('denied')
  },
  setItem() {
    throw new Error('denied')
  },
}

beforeEach(() => localStorage.clear())

describe('the remembered name', () => {
  it('is kept in localStorage', () => {
    expect(loadName()).toBe('')
    saveName('ann')
    expect(localStorage.getItem(NAME_KEY)).toBe('ann')
    expect(loadName()).toBe('ann')
  })

  it('is simply not remembered when storage is unavailable', () => {
    expect(loadName(broken)).toBe('')
    expect(() => saveName('ann', broken)).not.toThrow()
  })
})

describe('guestName', () => {
  it('is a numbered guest', () => {
    expect(guestName(() => 0)).toBe('guest-0000')
    expect(guestName(() => 0.4242)).toBe('guest-4242')
    expect(guestName()).toMatch(/^guest-\d{4}$/)
  })
})

import { describe, expect, it, vi } from 'vitest'
import { LOGIN_URL, fetchSession, goToLogin, needsLogin } from '../src/session.js'

function answering(body, ok = true) {
  return vi.fn(async () => ({ ok, json: async () => body }))
}

describe('fetchSession', () => {
  it('asks /api/session, uncached, with the cookies of the page', async () => {
    const fetch = answering({ auth: false, user: null })
    expect(await fetchSession(fetch)).toEqual({ auth: false, user: null, xsrf: null })
    const [url, init] = fetch.mock.calls[0]
    expect(url).toBe('/api/session')
    expect(init.cache).toBe('no-store')
    expect(init.credentials).toBe('same-origin')
  })

  it('reads a logged-in user and the token of the logout form', async () => {
    const answer = answering({ auth: true, user: 'ann', xsrf: 'token-1' })
    expect(await fetchSession(answer)).toEqual({ auth: true, user: 'ann', xsrf: 'token-1' })
  })

  it('takes anything odd as no user', async () => {
    expect(await fetchSession(answering({ auth: true, user: 42, xsrf: 7 }))).toEqual({
      auth: true,
      user: null,
      xsrf: null,
    })
    expect(await fetchSession(answering({ auth: 'yes', user: '' }))).toEqual({
      auth: false,
      user: null,
      xsrf: null,
    })
  })

  it('is null when the server cannot tell', async () => {
    expect(await fetchSession(answering({}, false))).toBeNull()
    expect(await fetchSession(answering(null))).toBeNull()
    expect(await fetchSession(answering('text'))).toBeNull()
    expect(
      await fetchSession(async () => {
        throw new TypeError('network down')
      }),
    ).toBeNull()
    const notJson = vi.fn(async () => ({
      ok: true,
      json: async () => {
        throw new SyntaxError('html')
      },
    }))
    expect(await fetchSession(notJson)).toBeNull()
  })

  it('uses the page fetch by default', async () => {
    vi.stubGlobal('fetch', answering({ auth: true, user: 'bob' }))
    expect(await fetchSession()).toEqual({ auth: true, user: 'bob', xsrf: null })
    vi.unstubAllGlobals()
  })
})

describe('needsLogin', () => {
  it('is true only when login is required and nobody is logged in', () => {
    expect(needsLogin({ auth: true, user: null })).toBe(true)
    expect(needsLogin({ auth: true, user: 'ann' })).toBe(false)
    expect(needsLogin({ auth: false, user: null })).toBe(false)
    expect(needsLogin(null)).toBe(false)
  })
})

describe('goToLogin', () => {
  it('sends the browser to the login page', () => {
    const loc = { assign: vi.fn() }
    goToLogin(loc)
    expect(loc.assign).toHaveBeenCalledWith(LOGIN_URL)
    expect(LOGIN_URL).toBe('/login')
  })
})

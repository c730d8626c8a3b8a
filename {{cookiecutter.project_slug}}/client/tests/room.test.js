import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import ChatRoom from '../src/components/ChatRoom.vue'
import { NAME_KEY } from '../src/name.js'
import { goToLogin } from '../src/session.js'
import { FakeWebSocket } from './fake-websocket.js'

vi.mock('../src/session.js', async (importOriginal) => ({
  ...(await importOriginal()),
  goToLogin: vi.fn(),
}))

function session(body) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => ({ ok: true, json: async () => body })),
  )
}

let wrappers = []
function room(props = {}) {
  const wrapper = mount(ChatRoom, { props, attachTo: document.body })
  wrappers.push(wrapper)
  return wrapper
}

function socket() {
  return FakeWebSocket.last
}

async function say(wrapper, text) {
  await wrapper.find('#message').setValue(text)
  await wrapper.find('#message').trigger('keydown', { key: 'Enter' })
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
  vi.stubGlobal('WebSocket', FakeWebSocket)
  session({ auth: false, user: null })
  localStorage.clear()
  goToLogin.mockClear()
})

afterEach(() => {
  for (const wrapper of wrappers) wrapper.unmount()
  wrappers = []
  vi.unstubAllGlobals()
  vi.useRealTimers()
})

describe('ChatRoom without login', () => {
  it('connects to /ws of the page and shows the state', async () => {
    const r = room()
    expect(socket().url).toBe(`ws://${window.location.host}/ws`)
    expect(r.find('#status').text()).toBe('connecting')
    socket().open()
    await flushPromises()
    expect(r.find('#status').text()).toBe('connected')
  })

  it('gives a first visitor a guest name and remembers it', () => {
    const r = room()
    const name = r.find('#name').element.value
    expect(name).toMatch(/^guest-\d{4}$/)
    expect(localStorage.getItem(NAME_KEY)).toBe(name)
  })

  it('remembers a chosen name', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    expect(r.find('#name').element.value).toBe('ann')
    await r.find('#name').setValue('  bob ')
    expect(localStorage.getItem(NAME_KEY)).toBe('bob')
    await r.find('#name').setValue('')
    expect(localStorage.getItem(NAME_KEY)).toBe('bob')
  })

  it('sends name and text, clears the box, shows the echo as own', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    socket().open()
    await say(r, 'hello')
    expect(socket().frames).toEqual([{ name: 'ann', text: 'hello' }])
    expect(r.find('#message').element.value).toBe('')
    socket().receive({ type: 'message', name: 'ann', text: 'hello', ts: 1 })
    socket().receive({ type: 'message', name: 'bob', text: '<i>hi</i>', ts: 2 })
    await flushPromises()
    const items = r.findAll('li.message')
    expect(items.map((li) => li.find('.text').text())).toEqual(['hello', '<i>hi</i>'])
    expect(items.map((li) => li.classes('own'))).toEqual([true, false])
    expect(r.find('li.message i').exists()).toBe(false)
  })

  it('sends under the guest name while the name field is blank', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    socket().open()
    await r.find('#name').setValue('   ')
    await say(r, 'hi')
    expect(socket().frames).toEqual([{ name: 'ann', text: 'hi' }])
  })

  it('does not send a blank message', async () => {
    const r = room()
    socket().open()
    await say(r, '   ')
    expect(socket().sent).toEqual([])
  })

  it('keeps and marks a message typed while offline', async () => {
    const r = room()
    await say(r, 'are you there?')
    expect(r.find('#message').element.value).toBe('are you there?')
    expect(r.find('#message').classes()).toContain('unsent')
    expect(r.find('#notice').text()).toContain('not sent')
    expect(r.find('#send').attributes('disabled')).toBeDefined()
    // once connected again, the user is told to send it
    socket().open()
    await flushPromises()
    expect(r.find('#notice').text()).toContain('Connected again')
    await say(r, 'are you there?')
    expect(socket().frames).toHaveLength(1)
    expect(r.find('#notice').exists()).toBe(false)
    expect(r.find('#message').classes()).not.toContain('unsent')
  })

  it('drops the offline notice on reconnect when the text was cleared', async () => {
    const r = room()
    await say(r, 'lost?')
    await r.find('#message').setValue('')
    socket().open()
    await flushPromises()
    expect(r.find('#notice').exists()).toBe(false)
  })

  it('puts back a message the connection lost before the server confirmed it', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    socket().open()
    await say(r, 'first')
    await say(r, 'second')
    socket().receive({ type: 'message', name: 'ann', text: 'first', ts: 1 })
    socket().drop()
    await flushPromises()
    expect(r.find('#status').text()).toBe('reconnecting')
    expect(r.find('#message').element.value).toBe('second')
    expect(r.find('#message').classes()).toContain('unsent')
    expect(r.find('#notice').text()).toContain('may not have been sent')
  })

  it('puts back a message the server refused and says why', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    socket().open()
    await say(r, 'spam')
    await r.find('#message').setValue('draft')
    socket().receive({ type: 'error', error: 'slow down.' })
    await flushPromises()
    expect(r.find('#notice .notice-text').text()).toBe('Not sent: slow down.')
    expect(r.find('#message').element.value).toBe('spam draft')
    // an error that answers no message of ours is simply shown
    socket().receive({ type: 'error', error: 'odd' })
    socket().receive({ type: 'error' })
    await flushPromises()
    expect(r.find('#notice .notice-text').text()).toBe('Error')
    await say(r, 'again')
    socket().receive({ type: 'error' })
    await flushPromises()
    expect(r.find('#notice .notice-text').text()).toBe('Not sent: refused by the server.')
  })

  it('fills the transcript with the history on connect', async () => {
    const r = room()
    socket().open()
    socket().receive({ type: 'message', name: 'x', text: 'before', ts: 1 })
    socket().receive({
      type: 'history',
      messages: [
        { name: 'ann', text: 'one', ts: 1 },
        { name: 'bob', text: 'two', ts: 2 },
      ],
    })
    await flushPromises()
    expect(r.findAll('li.message .text').map((t) => t.text())).toEqual(['one', 'two'])
  })

  it('shows status frames and ignores unknown ones', async () => {
    const r = room()
    socket().open()
    socket().receive({ type: 'status', status: 'degraded', detail: 'broker down' })
    socket().receive({ type: 'surprise' })
    await flushPromises()
    expect(r.find('#notice').classes()).toContain('status')
    expect(r.find('#notice .notice-text').text()).toBe('degraded: broker down')
    await r.find('#notice .dismiss').trigger('click')
    expect(r.find('#notice').exists()).toBe(false)
    socket().receive({ type: 'status', status: 'ok', detail: '' })
    await flushPromises()
    expect(r.find('#notice .notice-text').text()).toBe('ok')
  })

  it('retries at once on request', async () => {
    const r = room()
    socket().drop()
    await flushPromises()
    expect(FakeWebSocket.made).toHaveLength(1)
    await r.find('#retry').trigger('click')
    expect(FakeWebSocket.made).toHaveLength(2)
  })

  it('closes its socket when it goes away', () => {
    const r = room()
    socket().open()
    const sock = socket()
    r.unmount()
    wrappers = []
    expect(sock.readyState).toBe(FakeWebSocket.CLOSED)
  })

  it('stays when a refused socket is not about login', async () => {
    room()
    socket().drop()
    await flushPromises()
    expect(fetch).toHaveBeenCalledWith('/api/session', expect.anything())
    expect(goToLogin).not.toHaveBeenCalled()
  })
})

describe('ChatRoom with login', () => {
  it('shows the user, hides the name field and sends as the user', async () => {
    localStorage.setItem(NAME_KEY, 'someone-else')
    const r = room({ auth: true, user: 'ann', xsrf: 'token-1' })
    expect(r.find('#name').exists()).toBe(false)
    expect(r.find('#user').text()).toBe('Signed in as ann')
    expect(r.find('input[name="_xsrf"]').element.value).toBe('token-1')
    expect(localStorage.getItem(NAME_KEY)).toBe('someone-else')
    socket().open()
    await say(r, 'hi')
    expect(socket().frames).toEqual([{ name: 'ann', text: 'hi' }])
    socket().receive({ type: 'message', name: 'ann', text: 'hi', ts: 1 })
    await flushPromises()
    expect(r.find('li.message').classes()).toContain('own')
  })

  it('goes to the login page when the socket is refused for want of a login', async () => {
    room({ auth: true, user: 'ann' })
    session({ auth: true, user: null })
    socket().drop()
    await flushPromises()
    expect(goToLogin).toHaveBeenCalledTimes(1)
  })
})

describe('App', () => {
  it('asks who the browser is, then opens the room', async () => {
    session({ auth: true, user: 'ann' })
    const app = mount(App)
    wrappers.push(app)
    expect(app.find('.loading').text()).toBe('Loading…')
    await flushPromises()
    expect(app.find('#user').text()).toBe('Signed in as ann')
    expect(goToLogin).not.toHaveBeenCalled()
  })

  it('opens the room without login when the server cannot tell', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => ({ ok: false })),
    )
    const app = mount(App)
    wrappers.push(app)
    await flushPromises()
    expect(app.find('#name').exists()).toBe(true)
  })

  it('sends a browser that must log in to the login page', async () => {
    session({ auth: true, user: null })
    const app = mount(App)
    wrappers.push(app)
    await flushPromises()
    expect(goToLogin).toHaveBeenCalledTimes(1)
    expect(app.find('#transcript').exists()).toBe(false)
    expect(FakeWebSocket.made).toHaveLength(0)
  })
})

import { flushPromises, mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '../src/App.vue'
import ChatRoom from '../src/components/ChatRoom.vue'
import { NAME_KEY } from '../src/name.js'
import { goToLogin } from '../src/session.js'
import { ROOMS_KEY, ROOM_RULE } from '../src/store.js'
import {
  FakeWebSocket,
  answer,
  answerJoins,
  lastRequest,
  msg,
  notify,
  refuse,
  requests,
} from './fake-websocket.js'

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

// The page opens its socket, joins its rooms and gets the answers.
async function connect(joins = {}) {
  socket().open()
  await flushPromises()
  answerJoins(socket(), joins)
  await flushPromises()
}

async function say(wrapper, text) {
  await wrapper.find('#message').setValue(text)
  await wrapper.find('#message').trigger('keydown', { key: 'Enter' })
}

function shown(wrapper) {
  return wrapper.findAll('li.message .text').map((t) => t.text())
}

function roomButtons(wrapper) {
  return wrapper.findAll('.room-button')
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
  it('connects to /ws of the page, joins general and shows the state', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    expect(socket().url).toBe(`ws://${window.location.host}/ws`)
    expect(r.find('#status').text()).toBe('connecting')
    await connect({ messages: { general: [msg(1, 'bob', 'hi')] }, members: ['ann', 'bob'] })
    expect(r.find('#status').text()).toBe('connected')
    expect(lastRequest(socket(), 'join').params).toEqual({ room: 'general', name: 'ann' })
    expect(r.find('#room-title').text()).toBe('#general')
    expect(shown(r)).toEqual(['hi'])
  })

  it('gives a first visitor a guest name and remembers it', () => {
    const r = room()
    const name = r.find('#name').element.value
    expect(name).toMatch(/^guest-\d{4}$/)
    expect(localStorage.getItem(NAME_KEY)).toBe(name)
  })

  it('remembers a chosen name, and sends under it', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    expect(r.find('#name').element.value).toBe('ann')
    await r.find('#name').setValue('  bob ')
    expect(localStorage.getItem(NAME_KEY)).toBe('bob')
    await r.find('#name').setValue('')
    expect(localStorage.getItem(NAME_KEY)).toBe('bob')
    await connect()
    // the guest name while the field is blank
    await say(r, 'hi')
    expect(lastRequest(socket(), 'send').params.name).toBe('ann')
  })

  it('joins again under a name changed in the field', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    await connect()
    await r.find('#name').setValue('annie')
    await r.find('#name').trigger('change')
    expect(lastRequest(socket(), 'leave').params).toEqual({ room: 'general' })
  })

  it('sends, clears the box, and shows the message sending, then sent', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    await connect()
    await say(r, 'hello')
    expect(r.find('#message').element.value).toBe('')
    await say(r, '   ')
    expect(requests(socket(), 'send')).toHaveLength(1)
    const sent = lastRequest(socket(), 'send')
    expect(sent.params).toMatchObject({ room: 'general', text: 'hello', name: 'ann' })
    expect(sent.params.client_id).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(r.find('li.message').attributes('data-status')).toBe('sending')
    expect(r.find('li.message .status').text()).toBe('Sending…')
    answer(socket(), sent, { id: 4, room: 'general', ts: 1 })
    notify(socket(), 'message', msg(4, 'ann', 'hello'))
    notify(socket(), 'message', msg(5, 'bob', '<i>hi</i>'))
    await flushPromises()
    const items = r.findAll('li.message')
    expect(shown(r)).toEqual(['hello', '<i>hi</i>'])
    expect(items.map((li) => li.classes('own'))).toEqual([true, false])
    expect(items.map((li) => li.attributes('data-status'))).toEqual(['sent', undefined])
    expect(items[0].find('.status').text()).toBe('Sent')
    expect(r.find('li.message i').exists()).toBe(false)
  })

  it('shows a refused message as failed, with a retry that keeps its client_id', async () => {
    const r = room()
    await connect()
    await say(r, 'x'.repeat(10))
    refuse(socket(), lastRequest(socket(), 'send'), -32001, 'the text is longer than 8 characters')
    await flushPromises()
    const li = r.find('li.message')
    expect(li.attributes('data-status')).toBe('failed')
    expect(li.find('.delivery').text()).toContain('Not sent: the text is longer than 8 characters')
    const retry = li.find('button.retry-send')
    expect(retry.text()).toBe('Retry sending this message')
    await retry.trigger('click')
    const sends = requests(socket(), 'send')
    expect(sends).toHaveLength(2)
    expect(sends[1].params.client_id).toBe(sends[0].params.client_id)
    expect(r.find('li.message').attributes('data-status')).toBe('sending')
  })

  it('keeps a message typed while offline and sends it once connected', async () => {
    const r = room()
    expect(r.find('#message').attributes('placeholder')).toMatch(/^Offline/)
    await say(r, 'are you there?')
    expect(r.find('#message').element.value).toBe('')
    expect(r.find('li.message').attributes('data-status')).toBe('sending')
    await connect()
    expect(lastRequest(socket(), 'send').params.text).toBe('are you there?')
    expect(r.find('#message').attributes('placeholder')).toBe('Message #general')
  })

  it('carries on after a reconnect: no gap, no duplicate, unanswered sends again', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    await connect({ messages: { general: [msg(1, 'bob', 'one')] } })
    await say(r, 'lost answer')
    const first = lastRequest(socket(), 'send')
    socket().drop()
    await flushPromises()
    expect(r.find('#status').text()).toBe('reconnecting')
    expect(r.find('li.message[data-status="sending"]').exists()).toBe(true)
    await r.find('#retry').trigger('click')
    await connect({
      messages: { general: [msg(2, 'bob', 'two')] },
    })
    expect(lastRequest(socket(), 'join').params.after).toBe(1)
    const again = lastRequest(socket(), 'send')
    expect(again.params.client_id).toBe(first.params.client_id)
    answer(socket(), again, { id: 3, room: 'general', ts: 1 })
    notify(socket(), 'message', msg(3, 'ann', 'lost answer'))
    await flushPromises()
    expect(shown(r)).toEqual(['one', 'two', 'lost answer'])
  })

  it('says when older messages are not shown, and loads them on request', async () => {
    const r = room()
    await connect({ messages: { general: [msg(1, 'bob', 'one')] } })
    socket().drop()
    await flushPromises()
    vi.advanceTimersByTime(500)
    await connect({ messages: { general: [msg(90, 'bob', 'ninety')] }, truncated: { general: true } })
    expect(shown(r)).toEqual(['ninety'])
    expect(r.find('#gap').text()).toContain('not shown')
    await r.find('#older').trigger('click')
    expect(lastRequest(socket(), 'history').params).toEqual({ room: 'general', before: 90, limit: 50 })
    expect(r.find('#older').text()).toBe('Loading older messages…')
    answer(socket(), lastRequest(socket(), 'history'), { messages: [msg(1, 'bob', 'one')] })
    await flushPromises()
    expect(shown(r)).toEqual(['one', 'ninety'])
    expect(r.find('#gap').exists()).toBe(false)
    expect(r.find('#older').exists()).toBe(false)
    expect(r.find('.start').text()).toBe('This is the start of #general.')
  })

  it('lists the rooms with unread counts; a click goes there', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    localStorage.setItem(ROOMS_KEY, JSON.stringify(['general', 'games']))
    const r = room()
    await connect()
    expect(requests(socket(), 'join').map((f) => f.params.room)).toEqual(['general', 'games'])
    notify(socket(), 'message', msg(1, 'bob', 'in games', 'games'))
    notify(socket(), 'message', msg(2, 'bob', 'in games again', 'games'))
    notify(socket(), 'message', msg(3, 'bob', 'in general', 'general'))
    await flushPromises()
    const [general, games] = roomButtons(r)
    expect(general.attributes('aria-current')).toBe('true')
    expect(general.text()).toBe('#general')
    expect(games.text()).toBe('#games, 2 unread')
    expect(games.find('.unread').text()).toBe('2 unread')
    expect(shown(r)).toEqual(['in general'])
    await games.trigger('click')
    expect(r.find('#room-title').text()).toBe('#games')
    expect(shown(r)).toEqual(['in games', 'in games again'])
    expect(roomButtons(r)[1].text()).toBe('#games')
    expect(roomButtons(r)[1].attributes('aria-current')).toBe('true')
    // what one says goes to the room one is in
    await say(r, 'gg')
    expect(lastRequest(socket(), 'send').params.room).toBe('games')
  })

  it('joins a room by name, after checking it; says why the server refused', async () => {
    const r = room()
    await connect()
    const input = r.find('#room-name')
    expect(r.find('label[for="room-name"]').text()).toBe('Join a room')
    await input.setValue('no way!')
    await r.find('form.join').trigger('submit')
    expect(r.find('#join-error').text()).toBe(ROOM_RULE)
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe('join-error')
    expect(requests(socket(), 'join')).toHaveLength(1)
    await input.setValue('games')
    expect(r.find('#join-error').exists()).toBe(false)
    await r.find('form.join').trigger('submit')
    refuse(socket(), lastRequest(socket(), 'join'), -32004, 'at most 20 rooms per connection')
    await flushPromises()
    expect(r.find('#join-error').text()).toBe('at most 20 rooms per connection')
    await r.find('form.join').trigger('submit')
    answerJoins(socket(), { messages: { games: [msg(4, 'bob', 'welcome', 'games')] } })
    await flushPromises()
    expect(r.find('#join-error').exists()).toBe(false)
    expect(input.element.value).toBe('')
    expect(roomButtons(r).map((b) => b.text())).toEqual(['#general', '#games'])
    expect(r.find('#room-title').text()).toBe('#games')
    expect(shown(r)).toEqual(['welcome'])
  })

  it('offers the other rooms with people in them', async () => {
    const r = room()
    await connect()
    answer(socket(), lastRequest(socket(), 'rooms'), {
      rooms: [
        { room: 'general', members: 3 },
        { room: 'music', members: 1 },
        { room: 'games', members: 2 },
      ],
    })
    await flushPromises()
    expect(r.find('.others summary').text()).toBe('Other rooms (2)')
    const others = r.findAll('button.other')
    expect(others.map((b) => b.text())).toEqual(['Join #music (1 person)', 'Join #games (2 people)'])
    await r.find('button.refresh').trigger('click')
    expect(requests(socket(), 'rooms')).toHaveLength(2)
    await others[1].trigger('click')
    expect(lastRequest(socket(), 'join').params.room).toBe('games')
  })

  it('leaves a room with its own labelled button', async () => {
    localStorage.setItem(ROOMS_KEY, JSON.stringify(['general', 'games']))
    const r = room()
    await connect()
    const leave = r.findAll('button.leave')
    expect(leave.map((b) => b.attributes('aria-label'))).toEqual(['Leave general', 'Leave games'])
    await leave[1].trigger('click')
    expect(lastRequest(socket(), 'leave').params).toEqual({ room: 'games' })
    expect(roomButtons(r).map((b) => b.text())).toEqual(['#general'])
    await r.find('button.leave').trigger('click')
    expect(r.find('#no-room').text()).toContain('no room')
    expect(r.find('#message').exists()).toBe(false)
  })

  it('shows who is in the room', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    await connect({ members: ['ann'] })
    expect(r.find('#members-title').text()).toBe('1 person here')
    notify(socket(), 'presence', { room: 'general', members: ['ann', 'bob\u202e'], joined: 'bob' })
    await flushPromises()
    expect(r.find('#members-title').text()).toBe('2 people here')
    const members = r.findAll('#members li')
    expect(members.map((m) => m.find('bdi').text())).toEqual(['ann', 'bob\u202e'])
    expect(members[0].text()).toBe('ann (you)')
  })

  it('says who is typing, and tells the others while one types', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    await connect()
    expect(r.find('#typing').text()).toBe('')
    notify(socket(), 'typing', { room: 'general', name: 'bob' })
    await flushPromises()
    expect(r.find('#typing').text()).toBe('bob is typing…')
    expect(r.find('#typing bdi').text()).toBe('bob')
    notify(socket(), 'typing', { room: 'general', name: 'cy' })
    await flushPromises()
    expect(r.find('#typing').text()).toBe('bob and cy are typing…')
    for (const name of ['dee', 'eve']) notify(socket(), 'typing', { room: 'general', name })
    await flushPromises()
    expect(r.find('#typing').text()).toBe('bob, cy, dee and 1 more are typing…')
    vi.advanceTimersByTime(5000)
    await flushPromises()
    expect(r.find('#typing').text()).toBe('')
    await r.find('#message').setValue('h')
    await r.find('#message').setValue('hi')
    await r.find('#message').setValue('')
    expect(requests(socket(), 'typing')).toEqual([
      { jsonrpc: '2.0', method: 'typing', params: { room: 'general' } },
    ])
  })

  it('announces new messages of the current room in a live region', async () => {
    localStorage.setItem(NAME_KEY, 'ann')
    const r = room()
    await connect()
    const live = r.find('#announcer')
    expect(live.attributes('aria-live')).toBe('polite')
    expect(live.attributes('role')).toBe('log')
    notify(socket(), 'message', msg(1, 'bob', 'hello'))
    notify(socket(), 'message', msg(2, 'ann', 'mine'))
    notify(socket(), 'message', msg(3, 'bob', 'elsewhere', 'games'))
    await flushPromises()
    expect(live.findAll('p').map((p) => p.text())).toEqual(['bob: hello'])
  })

  it('shows status notifications, which can be dismissed', async () => {
    const r = room()
    await connect()
    notify(socket(), 'status', { status: 'reconnecting', detail: 'broker down' })
    await flushPromises()
    expect(r.find('#notice').classes()).toContain('status')
    expect(r.find('#notice .notice-text').text()).toBe('reconnecting: broker down')
    await r.find('#notice .dismiss').trigger('click')
    expect(r.find('#notice').exists()).toBe(false)
  })

  it('closes its socket when it goes away', async () => {
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
  it('shows the user, hides the name field and sends no name', async () => {
    localStorage.setItem(NAME_KEY, 'someone-else')
    const r = room({ auth: true, user: 'ann', xsrf: 'token-1' })
    expect(r.find('#name').exists()).toBe(false)
    expect(r.find('#user').text()).toBe('Signed in as ann')
    expect(r.find('input[name="_xsrf"]').element.value).toBe('token-1')
    expect(localStorage.getItem(NAME_KEY)).toBe('someone-else')
    await connect()
    expect(lastRequest(socket(), 'join').params).toEqual({ room: 'general' })
    await say(r, 'hi')
    expect(lastRequest(socket(), 'send').params).not.toHaveProperty('name')
    notify(socket(), 'message', msg(1, 'ann', 'hi'))
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

import { flushPromises } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  GENERAL,
  HISTORY_PAGE,
  ROOMS_KEY,
  ROOM_RULE,
  TYPING_EVERY_MS,
  TYPING_SHOWN_MS,
  createChatStore,
  loadRooms,
  newClientId,
  roomNameError,
  saveRooms,
} from '../src/store.js'
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

let stores = []
let ids

function start(options = {}) {
  const store = createChatStore({
    url: 'ws://test/ws',
    WebSocketImpl: FakeWebSocket,
    random: () => 1,
    events: new EventTarget(),
    me: () => 'ann',
    storage: localStorage,
    newId: () => `c${ids++}`,
    ...options,
  })
  stores.push(store)
  return store
}

function sock() {
  return FakeWebSocket.last
}

// Opens the socket and answers the joins.
async function connect(joins = {}) {
  sock().open()
  await flushPromises()
  answerJoins(sock(), joins)
  await flushPromises()
}

// Drops the socket and opens the next one (the joins are left to the test).
async function reconnect() {
  sock().drop()
  await flushPromises()
  vi.advanceTimersByTime(500)
  sock().open()
  await flushPromises()
}

function texts(room) {
  return room.messages.map((m) => m.text)
}

beforeEach(() => {
  vi.useFakeTimers()
  FakeWebSocket.reset()
  localStorage.clear()
  ids = 1
})

afterEach(() => {
  for (const store of stores) store.close()
  stores = []
  vi.useRealTimers()
})

describe('room names and remembered rooms', () => {
  it('checks a room name as the server does', () => {
    for (const good of ['general', 'a', '0-day', 'x_y-z', 'a'.repeat(32)]) {
      expect(roomNameError(good)).toBeNull()
    }
    for (const bad of ['', 'Games', '-x', '_x', 'a b', 'é', 'a'.repeat(33), '#games']) {
      expect(roomNameError(bad)).toBe(ROOM_RULE)
    }
  })

  it('starts in general, then the rooms remembered', () => {
    expect(loadRooms()).toEqual([GENERAL])
    saveRooms(['games', 'general', 'Bad!', 7, 'games', 'music'])
    expect(loadRooms()).toEqual(['general', 'games', 'music'])
    localStorage.setItem(ROOMS_KEY, '{not json')
    expect(loadRooms()).toEqual(['general'])
    localStorage.setItem(ROOMS_KEY, '"general"')
    expect(loadRooms()).toEqual(['general'])
  })

  it('makes do without storage', () => {
    const broken = {
      getItem() {
        throw new Error('denied')
      },
      setItem() {
        throw new Error('denied')
      },
    }
    expect(loadRooms(broken)).toEqual(['general'])
    saveRooms(['x'], broken)
  })

  it('makes client ids, with randomUUID or without', () => {
    expect(newClientId()).toMatch(/^[0-9a-f-]{36}$/)
    vi.stubGlobal('crypto', { getRandomValues: (a) => a.fill(171) })
    expect(newClientId()).toBe('ab'.repeat(16))
    vi.unstubAllGlobals()
  })
})

describe('joining', () => {
  it('joins general first, then the other rooms, with the guest name', async () => {
    const store = start({ rooms: ['general', 'games'] })
    expect(store.state.connection).toBe('connecting')
    sock().open()
    expect(requests(sock()).map((f) => [f.method, f.params])).toEqual([
      ['join', { room: 'general', name: 'ann' }],
      ['join', { room: 'games', name: 'ann' }],
    ])
    expect(store.state.resuming).toBe(true)
    answerJoins(sock(), {
      messages: { general: [msg(1, 'bob', 'hi'), msg(2, 'ann', 'hello')] },
      members: ['ann', 'bob'],
    })
    await flushPromises()
    const general = store.room('general')
    expect(texts(general)).toEqual(['hi', 'hello'])
    expect(general.members).toEqual(['ann', 'bob'])
    expect(general.joined).toBe(true)
    expect(general.hasOlder).toBe(true)
    expect(store.room('games').hasOlder).toBe(false)
    expect(store.state.resuming).toBe(false)
    expect(store.state.current).toBe('general')
    // then it asks which rooms have people in them
    answer(sock(), lastRequest(sock(), 'rooms'), {
      rooms: [{ room: 'general', members: 2 }, { room: 'music', members: 1 }, { junk: 1 }, null],
    })
    await flushPromises()
    expect(store.state.directory).toEqual([
      { room: 'general', members: 2 },
      { room: 'music', members: 1 },
    ])
  })

  it('sends no name with login', async () => {
    start({ auth: true })
    sock().open()
    expect(lastRequest(sock(), 'join').params).toEqual({ room: 'general' })
  })

  it('joins a new room and goes there', async () => {
    const store = start()
    await connect()
    const joining = store.join('  Games ')
    expect(store.state.rooms.map((r) => r.name)).toEqual(['general', 'games'])
    answerJoins(sock(), { messages: { games: [msg(5, 'bob', 'gg', 'games')] } })
    expect(await joining).toBeNull()
    expect(store.state.current).toBe('games')
    expect(texts(store.room('games'))).toEqual(['gg'])
    expect(JSON.parse(localStorage.getItem(ROOMS_KEY))).toEqual(['general', 'games'])
    expect(requests(sock(), 'rooms')).toHaveLength(2)
    // a room one is in: just go there
    expect(await store.join('general')).toBeNull()
    expect(store.state.current).toBe('general')
    expect(requests(sock(), 'join')).toHaveLength(2)
  })

  it('refuses a bad room name without asking the server', async () => {
    const store = start()
    await connect()
    expect(await store.join('no spaces')).toBe(ROOM_RULE)
    expect(requests(sock(), 'join')).toHaveLength(1)
  })

  it('shows the server reason when a join is refused', async () => {
    const store = start()
    await connect()
    const joining = store.join('games')
    refuse(sock(), lastRequest(sock(), 'join'), -32004, 'at most 20 rooms per connection')
    expect(await joining).toBe('at most 20 rooms per connection')
    expect(store.state.rooms.map((r) => r.name)).toEqual(['general'])
  })

  it('asks to wait for the connection before joining', async () => {
    const store = start()
    expect(await store.join('games')).toMatch(/^Not connected/)
  })

  it('keeps a room whose join the connection lost, and joins it on reconnect', async () => {
    const store = start()
    await connect()
    const joining = store.join('games')
    sock().drop()
    expect(await joining).toBeNull()
    vi.advanceTimersByTime(500)
    sock().open()
    expect(requests(sock(), 'join').map((f) => f.params.room)).toEqual(['general', 'games'])
  })

  it('says when a room cannot be joined again', async () => {
    const store = start({ rooms: ['general', 'games'] })
    sock().open()
    refuse(sock(), requests(sock(), 'join')[1], -32004, 'the server holds at most 1000 rooms')
    answerJoins(sock())
    await flushPromises()
    expect(store.room('games').error).toBe('the server holds at most 1000 rooms')
    expect(store.state.notice.text).toBe(
      'Could not join games: the server holds at most 1000 rooms',
    )
  })
})

describe('a guest taking another name', () => {
  it('leaves the rooms and joins them again under the new name', async () => {
    let name = 'ann'
    const store = start({ me: () => name, rooms: ['general', 'games'] })
    await store.rename() // not connected: nothing
    await connect({ messages: { general: [msg(1, 'bob', 'one')] } })
    await store.rename() // the same name: nothing
    expect(requests(sock(), 'leave')).toEqual([])
    name = 'annie'
    const renaming = store.rename()
    store.send('held back meanwhile')
    expect(requests(sock(), 'leave').map((f) => f.params.room)).toEqual(['general', 'games'])
    for (const leave of requests(sock(), 'leave')) answer(sock(), leave, { room: leave.params.room })
    await flushPromises()
    expect(requests(sock(), 'send')).toEqual([])
    expect(requests(sock(), 'join').slice(2).map((f) => f.params)).toEqual([
      { room: 'general', after: 1, name: 'annie' },
      { room: 'games', name: 'annie' },
    ])
    answerJoins(sock(), { members: ['annie', 'bob'] })
    await renaming
    expect(store.room('general').members).toEqual(['annie', 'bob'])
    expect(lastRequest(sock(), 'send').params.name).toBe('annie')
  })

  it('joins again when the name changed while joining', async () => {
    let name = 'ann'
    const store = start({ me: () => name })
    sock().open()
    name = 'annie'
    await store.rename() // joining: later
    answerJoins(sock())
    await flushPromises()
    expect(lastRequest(sock(), 'leave').params).toEqual({ room: 'general' })
    answer(sock(), lastRequest(sock(), 'leave'), { room: 'general' })
    await flushPromises()
    expect(lastRequest(sock(), 'join').params).toEqual({ room: 'general', name: 'annie' })
    expect(store.state.resuming).toBe(true)
  })

  it('gives up when the connection drops meanwhile, and does nothing with login', async () => {
    let name = 'ann'
    const store = start({ me: () => name })
    await connect()
    name = 'annie'
    const renaming = store.rename()
    sock().drop()
    await renaming
    expect(store.state.resuming).toBe(false)
    const login = start({ auth: true, me: () => name })
    await login.rename()
  })
})

describe('rooms', () => {
  it('counts unread messages of the other rooms until one goes there', async () => {
    const store = start({ rooms: ['general', 'games'] })
    await connect()
    notify(sock(), 'message', msg(3, 'bob', 'in games', 'games'))
    notify(sock(), 'message', msg(4, 'bob', 'again', 'games'))
    notify(sock(), 'message', msg(5, 'ann', 'mine, from another tab', 'games'))
    notify(sock(), 'message', msg(6, 'bob', 'here', 'general'))
    notify(sock(), 'message', msg(7, 'bob', 'nowhere', 'elsewhere'))
    notify(sock(), 'message', { room: 'general', text: 'no id' })
    expect(store.room('games').unread).toBe(2)
    expect(store.room('general').unread).toBe(0)
    // what arrives in the current room is announced to screen readers
    expect(store.state.announcements.map((a) => a.text)).toEqual(['bob: here'])
    store.select('games')
    expect(store.state.current).toBe('games')
    expect(store.room('games').unread).toBe(0)
    store.select('nowhere')
    expect(store.state.current).toBe('games')
  })

  it('keeps the rooms apart', async () => {
    const store = start({ rooms: ['general', 'games'] })
    await connect()
    notify(sock(), 'message', msg(3, 'bob', 'in games', 'games'))
    notify(sock(), 'message', msg(4, 'bob', 'in general', 'general'))
    expect(texts(store.room('games'))).toEqual(['in games'])
    expect(texts(store.room('general'))).toEqual(['in general'])
  })

  it('leaves a room, and goes back to general', async () => {
    const store = start({ rooms: ['general', 'games', 'music'] })
    await connect()
    store.select('games')
    const leaving = store.leave('games')
    expect(store.state.rooms.map((r) => r.name)).toEqual(['general', 'music'])
    expect(store.state.current).toBe('general')
    expect(lastRequest(sock(), 'leave').params).toEqual({ room: 'games' })
    answer(sock(), lastRequest(sock(), 'leave'), { room: 'games' })
    await leaving
    expect(JSON.parse(localStorage.getItem(ROOMS_KEY))).toEqual(['general', 'music'])
    // notifications of a room left are not shown
    notify(sock(), 'message', msg(9, 'bob', 'late', 'games'))
    expect(store.room('games')).toBeNull()
  })

  it('may leave general too, and then every room', async () => {
    const store = start({ rooms: ['general', 'games'] })
    await connect()
    store.leave('general').catch(() => {})
    expect(store.state.current).toBe('games')
    sock().drop()
    await store.leave('games')
    expect(store.state.current).toBeNull()
    expect(store.currentRoom()).toBeNull()
    expect(store.send('into the void')).toBe(false)
    await store.leave('nowhere')
  })

  it('shows who is in the room', async () => {
    const store = start()
    await connect({ members: ['ann'] })
    expect(store.room('general').members).toEqual(['ann'])
    notify(sock(), 'presence', { room: 'general', members: ['ann', 'bob'], joined: 'bob' })
    expect(store.room('general').members).toEqual(['ann', 'bob'])
    notify(sock(), 'presence', { room: 'general', members: ['bob', 7], left: 'ann' })
    expect(store.room('general').members).toEqual(['bob'])
    notify(sock(), 'presence', { room: 'general' })
    notify(sock(), 'presence', { room: 'elsewhere', members: [] })
    expect(store.room('general').members).toEqual(['bob'])
    expect(store.room('general').count).toBe(1)
    // a big room: how many, not who
    notify(sock(), 'presence', { room: 'general', count: 150 })
    expect(store.room('general').members).toEqual([])
    expect(store.room('general').count).toBe(150)
  })

  it('keeps the directory when the server will not tell', async () => {
    const store = start()
    await connect()
    refuse(sock(), lastRequest(sock(), 'rooms'), -32000, 'too many messages')
    await flushPromises()
    answer(sock(), { id: 99 }, {})
    store.refreshRooms()
    answer(sock(), lastRequest(sock(), 'rooms'), { rooms: 'none' })
    await flushPromises()
    expect(store.state.directory).toEqual([])
    sock().drop()
    await store.refreshRooms()
  })
})

describe('typing', () => {
  it('tells the others at most every 3 s', async () => {
    const store = start()
    store.typing() // not connected: nothing
    await connect()
    store.typing()
    store.typing()
    expect(requests(sock(), 'typing')).toEqual([
      { jsonrpc: '2.0', method: 'typing', params: { room: 'general' } },
    ])
    vi.advanceTimersByTime(TYPING_EVERY_MS - 1)
    store.typing()
    expect(requests(sock(), 'typing')).toHaveLength(1)
    vi.advanceTimersByTime(1)
    store.typing()
    expect(requests(sock(), 'typing')).toHaveLength(2)
  })

  it('shows who is typing for 5 s, or until their message comes', async () => {
    const store = start()
    await connect()
    const general = store.room('general')
    notify(sock(), 'typing', { room: 'general', name: 'bob' })
    notify(sock(), 'typing', { room: 'general', name: 'ann' }) // oneself: not shown
    notify(sock(), 'typing', { room: 'general' })
    notify(sock(), 'typing', { room: 'elsewhere', name: 'eve' })
    expect(general.typing.map((t) => t.name)).toEqual(['bob'])
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1000)
    notify(sock(), 'typing', { room: 'general', name: 'bob' }) // still typing
    notify(sock(), 'typing', { room: 'general', name: 'cy' })
    vi.advanceTimersByTime(1000)
    expect(general.typing.map((t) => t.name)).toEqual(['bob', 'cy'])
    notify(sock(), 'message', msg(1, 'cy', 'done'))
    expect(general.typing.map((t) => t.name)).toEqual(['bob'])
    vi.advanceTimersByTime(TYPING_SHOWN_MS)
    expect(general.typing).toEqual([])
  })
})

describe('history', () => {
  it('loads the messages before the oldest one held', async () => {
    const store = start()
    await connect({ messages: { general: [msg(60, 'bob', '60'), msg(61, 'bob', '61')] } })
    const general = store.room('general')
    const loading = store.loadOlder()
    expect(general.loadingOlder).toBe(true)
    store.loadOlder() // once at a time
    expect(requests(sock(), 'history')).toHaveLength(1)
    const asked = lastRequest(sock(), 'history')
    expect(asked.params).toEqual({ room: 'general', before: 60, limit: HISTORY_PAGE })
    const page = Array.from({ length: HISTORY_PAGE }, (_, i) => msg(10 + i, 'bob', String(10 + i)))
    answer(sock(), asked, { messages: page })
    await loading
    expect(general.messages).toHaveLength(HISTORY_PAGE + 2)
    expect(general.messages[0].id).toBe(10)
    expect(general.hasOlder).toBe(true)
    // the last page is shorter: nothing older
    const last = store.loadOlder()
    expect(lastRequest(sock(), 'history').params.before).toBe(10)
    answer(sock(), lastRequest(sock(), 'history'), { messages: [msg(3, 'bob', '3')] })
    await last
    expect(general.messages[0].id).toBe(3)
    expect(general.hasOlder).toBe(false)
    await store.loadOlder()
    expect(requests(sock(), 'history')).toHaveLength(2)
  })

  it('has nothing older to load in an empty room', async () => {
    const store = start()
    await connect()
    expect(store.room('general').hasOlder).toBe(false)
    store.room('general').hasOlder = true
    await store.loadOlder()
    expect(store.room('general').hasOlder).toBe(false)
    expect(requests(sock(), 'history')).toEqual([])
  })

  it('says when history fails, and forgets a page the connection lost', async () => {
    const store = start()
    await connect({ messages: { general: [msg(5, 'bob', 'x')] } })
    const failing = store.loadOlder('general')
    refuse(sock(), lastRequest(sock(), 'history'), -32000, 'too many messages')
    await failing
    expect(store.state.notice).toEqual({ kind: 'error', text: 'too many messages' })
    store.dismiss()
    const lost = store.loadOlder('general')
    sock().drop()
    await lost
    expect(store.state.notice).toBeNull()
    expect(store.room('general').loadingOlder).toBe(false)
  })
})

describe('sending', () => {
  async function ready(options) {
    const store = start(options)
    await connect()
    return store
  }

  it('sends with a client_id and the guest name; sending, then sent', async () => {
    const store = await ready()
    expect(store.send('hello')).toBe(true)
    expect(store.send('   ')).toBe(false)
    const sent = lastRequest(sock(), 'send')
    expect(sent.params).toEqual({ room: 'general', text: 'hello', client_id: 'c1', name: 'ann' })
    const general = store.room('general')
    expect(general.outbox.map((o) => [o.text, o.status])).toEqual([['hello', 'sending']])
    answer(sock(), sent, { id: 7, room: 'general', ts: 1 })
    await flushPromises()
    // answered, not yet seen coming back
    expect(general.outbox.map((o) => [o.status, o.id])).toEqual([['sent', 7]])
    notify(sock(), 'message', msg(7, 'ann', 'hello'))
    expect(general.outbox).toEqual([])
    expect(texts(general)).toEqual(['hello'])
    expect(general.sent).toEqual({ 7: true })
  })

  it('sends no name with login', async () => {
    const store = await ready({ auth: true })
    store.send('hi')
    expect(lastRequest(sock(), 'send').params).toEqual({
      room: 'general',
      text: 'hi',
      client_id: 'c1',
    })
  })

  it('shows a message once when it comes back before the answer', async () => {
    const store = await ready()
    store.send('quick')
    notify(sock(), 'message', msg(8, 'ann', 'quick'))
    const general = store.room('general')
    expect(texts(general)).toEqual(['quick'])
    expect(general.outbox).toHaveLength(1)
    answer(sock(), lastRequest(sock(), 'send'), { id: 8, room: 'general', ts: 1 })
    await flushPromises()
    expect(texts(general)).toEqual(['quick'])
    expect(general.outbox).toEqual([])
    expect(general.sent).toEqual({ 8: true })
    // the same notification again changes nothing
    notify(sock(), 'message', msg(8, 'ann', 'quick'))
    expect(texts(general)).toEqual(['quick'])
  })

  it('shows a refused message as failed, and retries it with the same client_id', async () => {
    const store = await ready()
    store.send('spam')
    refuse(sock(), lastRequest(sock(), 'send'), -32000, 'too many messages: at most 10 a second')
    await flushPromises()
    const item = store.room('general').outbox[0]
    expect([item.status, item.error]).toEqual(['failed', 'too many messages: at most 10 a second'])
    store.retry('general', 'nope')
    store.retry('elsewhere', item.clientId)
    store.retry('general', item.clientId)
    expect(item.status).toBe('sending')
    expect(item.error).toBeNull()
    const again = requests(sock(), 'send')
    expect(again).toHaveLength(2)
    expect(again[1].params.client_id).toBe(again[0].params.client_id)
    answer(sock(), again[1], { id: 9, room: 'general', ts: 1 })
    await flushPromises()
    expect(item.status).toBe('sent')
    store.retry('general', item.clientId) // not failed: nothing to retry
    expect(requests(sock(), 'send')).toHaveLength(2)
  })

  it('drops from the outbox an answer without an id', async () => {
    const store = await ready()
    store.send('odd')
    answer(sock(), lastRequest(sock(), 'send'), {})
    await flushPromises()
    expect(store.room('general').outbox).toEqual([])
  })

  it('keeps what is typed while offline, and sends it once joined', async () => {
    const store = start()
    store.send('early')
    expect(store.room('general').outbox[0].status).toBe('sending')
    sock().open()
    expect(requests(sock(), 'send')).toEqual([])
    answerJoins(sock())
    await flushPromises()
    expect(lastRequest(sock(), 'send').params.text).toBe('early')
  })
})

describe('resuming after a reconnect', () => {
  it('joins every room again after the newest id held, and adds what it missed', async () => {
    const store = start({ rooms: ['general', 'games'] })
    await connect({
      messages: {
        general: [msg(1, 'bob', 'one'), msg(2, 'bob', 'two')],
        games: [msg(3, 'bob', 'three', 'games')],
      },
    })
    await reconnect()
    expect(store.state.connection).toBe('connected')
    expect(store.state.resuming).toBe(true)
    expect(requests(sock(), 'join').map((f) => f.params)).toEqual([
      { room: 'general', after: 2, name: 'ann' },
      { room: 'games', after: 3, name: 'ann' },
    ])
    // a message notification may overtake the answer: no duplicate either way
    notify(sock(), 'message', msg(5, 'bob', 'five'))
    answerJoins(sock(), {
      messages: {
        general: [msg(2, 'bob', 'two'), msg(4, 'cy', 'four'), msg(5, 'bob', 'five')],
        games: [msg(6, 'bob', 'six', 'games')],
      },
      members: ['ann', 'bob', 'cy'],
    })
    await flushPromises()
    expect(texts(store.room('general'))).toEqual(['one', 'two', 'four', 'five'])
    expect(texts(store.room('games'))).toEqual(['three', 'six'])
    // missed in a room not looked at: unread
    expect(store.room('games').unread).toBe(1)
    expect(store.room('general').members).toEqual(['ann', 'bob', 'cy'])
    expect(store.state.resuming).toBe(false)
  })

  it('sends again, with the same client_id, what got no answer', async () => {
    const store = start()
    await connect({ messages: { general: [msg(1, 'bob', 'one')] } })
    store.send('first')
    store.send('second')
    const before = requests(sock(), 'send').map((f) => f.params.client_id)
    answer(sock(), lastRequest(sock(), 'send'), { id: 3, room: 'general', ts: 1 })
    await flushPromises()
    // 'second' was answered (id 3) but not seen yet; 'first' got no answer
    await reconnect()
    expect(requests(sock(), 'send')).toEqual([]) // not before the rooms are joined
    store.send('third') // typed meanwhile: waits too
    answerJoins(sock(), {
      messages: { general: [msg(2, 'eve', 'two'), msg(3, 'ann', 'second')] },
    })
    await flushPromises()
    const again = requests(sock(), 'send')
    expect(again.map((f) => [f.params.text, f.params.client_id])).toEqual([
      ['first', before[0]],
      ['third', 'c3'],
    ])
    const general = store.room('general')
    expect(texts(general)).toEqual(['one', 'two', 'second'])
    expect(general.sent).toEqual({ 3: true })
    expect(general.outbox.map((o) => o.text)).toEqual(['first', 'third'])
    // the server answers a client_id it has seen with its first answer
    answer(sock(), again[0], { id: 4, room: 'general', ts: 1 })
    notify(sock(), 'message', msg(4, 'ann', 'first'))
    await flushPromises()
    expect(texts(general)).toEqual(['one', 'two', 'second', 'first'])
    expect(general.outbox.map((o) => o.text)).toEqual(['third'])
  })

  it('when more were missed than came back: says so, and lets one load older', async () => {
    const store = start()
    await connect({ messages: { general: [msg(1, 'bob', 'one'), msg(2, 'bob', 'two')] } })
    store.send('mine')
    answer(sock(), lastRequest(sock(), 'send'), { id: 3, room: 'general', ts: 1 })
    await flushPromises()
    await reconnect()
    const newest = Array.from({ length: 50 }, (_, i) => msg(100 + i, 'bob', String(100 + i)))
    answerJoins(sock(), { messages: { general: newest }, truncated: { general: true } })
    await flushPromises()
    const general = store.room('general')
    // no gap in what is shown: the newest, and older ones on request
    expect(general.messages.map((m) => m.id)).toEqual(newest.map((m) => m.id))
    expect(general.truncated).toBe(true)
    expect(general.hasOlder).toBe(true)
    // the answered message is in what was missed: shown when loaded
    expect(general.outbox).toEqual([])
    const loading = store.loadOlder()
    expect(lastRequest(sock(), 'history').params.before).toBe(100)
    const page = Array.from({ length: 50 }, (_, i) => msg(50 + i, 'bob', String(50 + i)))
    answer(sock(), lastRequest(sock(), 'history'), { messages: page })
    await loading
    expect(general.truncated).toBe(true)
    const more = store.loadOlder()
    answer(sock(), lastRequest(sock(), 'history'), {
      messages: [msg(2, 'bob', 'two'), msg(3, 'ann', 'mine'), msg(4, 'bob', 'four')],
    })
    await more
    expect(general.truncated).toBe(false)
    expect(general.messages[0].id).toBe(2)
  })

  it('forgets who was typing, and answers from the old socket', async () => {
    const store = start()
    await connect()
    notify(sock(), 'typing', { room: 'general', name: 'bob' })
    const old = sock()
    store.send('lost')
    await reconnect()
    expect(store.room('general').typing).toEqual([])
    old.receive({ jsonrpc: '2.0', id: 2, result: { id: 1 } })
    expect(store.room('general').outbox[0].status).toBe('sending')
  })

  it('starts over when the connection drops again while joining', async () => {
    const store = start()
    await connect({ messages: { general: [msg(1, 'bob', 'one')] } })
    await reconnect()
    const first = sock()
    await reconnect()
    answerJoins(first, { messages: { general: [msg(2, 'bob', 'stale')] } })
    answerJoins(sock(), { messages: { general: [msg(2, 'bob', 'two')] } })
    await flushPromises()
    expect(texts(store.room('general'))).toEqual(['one', 'two'])
  })
})

describe('notices', () => {
  it('shows status notifications and errors that answer nothing', async () => {
    const store = start()
    await connect()
    notify(sock(), 'status', { status: 'reconnecting', detail: 'the broker is gone' })
    expect(store.state.notice).toEqual({
      kind: 'status',
      text: 'reconnecting: the broker is gone',
    })
    notify(sock(), 'status', { status: 'ok', detail: '' })
    expect(store.state.notice.text).toBe('ok')
    notify(sock(), 'surprise', {})
    sock().receive({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'not JSON' } })
    expect(store.state.notice).toEqual({ kind: 'error', text: 'not JSON' })
  })

  it('retries at once on request, and stops on close', async () => {
    const store = start()
    sock().drop()
    store.reconnectNow()
    expect(FakeWebSocket.made).toHaveLength(2)
    notify(sock(), 'typing', { room: 'general', name: 'bob' })
    store.close()
    expect(store.state.connection).toBe('closed')
  })
})

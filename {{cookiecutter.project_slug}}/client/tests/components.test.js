import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import ConnectionStatus from '../src/components/ConnectionStatus.vue'
import MemberList from '../src/components/MemberList.vue'
import MessageComposer from '../src/components/MessageComposer.vue'
import MessageList from '../src/components/MessageList.vue'
import RoomList from '../src/components/RoomList.vue'
import UserIdentity from '../src/components/UserIdentity.vue'
import { toMessage } from '../src/messages.js'
import { ROOM_RULE } from '../src/store.js'

// happy-dom does no layout: give the transcript the sizes a browser would.
function layout(el, { scrollHeight, clientHeight, scrollTop }) {
  Object.defineProperty(el, 'scrollHeight', { configurable: true, value: scrollHeight })
  Object.defineProperty(el, 'clientHeight', { configurable: true, value: clientHeight })
  el.scrollTop = scrollTop
}

describe('MessageList', () => {
  const messages = [
    toMessage({ id: 1, name: 'ann', text: 'hello', ts: 1764064800 }),
    toMessage({ id: 2, name: 'bob', text: '<b>not bold</b>', ts: 1764064860 }),
  ]
  const more = (id, name = 'ann') => toMessage({ id, name, text: String(id), ts: 1764064900 })

  it('shows name, time and text of each message, text as text', () => {
    const list = mount(MessageList, { props: { messages, me: 'bob', room: 'general' } })
    const items = list.findAll('li.message')
    expect(items).toHaveLength(2)
    expect(items[0].find('.name').text()).toBe('ann')
    expect(items[0].attributes('data-id')).toBe('1')
    expect(items[0].find('time').attributes('datetime')).toBe('2025-11-25T10:00:00.000Z')
    expect(items[0].find('time').text()).toMatch(/\d\d:\d\d$/)
    expect(items[1].find('.text').text()).toBe('<b>not bold</b>')
    expect(items[1].find('b').exists()).toBe(false)
  })

  it('isolates each name and text, so bidi controls stay inside them', () => {
    const spoofed = [toMessage({ id: 1, name: 'innocent\u202egnp.exe', text: '\u202eevil', ts: 1 })]
    const list = mount(MessageList, { props: { messages: spoofed, me: 'bob' } })
    expect(list.find('.name').element.tagName).toBe('BDI')
    expect(list.find('.text').element.tagName).toBe('BDI')
    expect(list.find('.name').text()).toBe('innocent\u202egnp.exe')
  })

  it('marks the reader own messages', () => {
    const list = mount(MessageList, { props: { messages, me: 'bob' } })
    const items = list.findAll('li.message')
    expect(items[0].classes()).not.toContain('own')
    expect(items[1].classes()).toContain('own')
    expect(items[1].text()).toContain('(you)')
  })

  it('is a labelled region one can reach with the keyboard', () => {
    const list = mount(MessageList, { props: { messages: [], room: 'games' } })
    const box = list.find('#transcript')
    expect(box.attributes('role')).toBe('region')
    expect(box.attributes('aria-label')).toBe('Messages in games')
    expect(box.attributes('tabindex')).toBe('0')
    expect(list.find('.start').exists()).toBe(false)
  })

  it('shows messages on their way: sending, sent, failed with a retry', async () => {
    const outbox = [
      { clientId: 'a', name: 'ann', text: 'one', ts: 1, status: 'sending', error: null },
      { clientId: 'b', name: 'ann', text: 'two', ts: 1, status: 'sent', error: null },
      { clientId: 'c', name: 'ann', text: 'three', ts: 1, status: 'failed', error: 'flood' },
      { clientId: 'd', name: 'ann', text: 'four', ts: 1, status: 'failed', error: null },
    ]
    const list = mount(MessageList, {
      props: { messages, outbox, sent: { 1: true }, me: 'ann' },
    })
    const items = list.findAll('li.message')
    expect(items.map((li) => li.attributes('data-status'))).toEqual([
      'sent',
      undefined,
      'sending',
      'sent',
      'failed',
      'failed',
    ])
    expect(items.map((li) => (li.find('.delivery').exists() ? li.find('.delivery').text() : null)))
      .toEqual([
        'Sent',
        null,
        'Sending…',
        'Sent',
        'Not sent: flood Retry sending this message',
        'Not sent Retry sending this message',
      ])
    await items[4].find('button.retry-send').trigger('click')
    expect(list.emitted('retry')).toEqual([['c']])
  })

  it('offers older messages at the top, or says where the room starts', async () => {
    const list = mount(MessageList, { props: { messages, hasOlder: true, room: 'general' } })
    expect(list.find('#older').text()).toBe('Load older messages')
    await list.find('#older').trigger('click')
    expect(list.emitted('older')).toHaveLength(1)
    await list.setProps({ loadingOlder: true })
    expect(list.find('#older').attributes('disabled')).toBeDefined()
    await list.setProps({ hasOlder: false, loadingOlder: false, truncated: true })
    expect(list.find('#older').exists()).toBe(false)
    expect(list.find('.start').text()).toBe('This is the start of #general.')
    expect(list.find('#gap').text()).toContain('not shown')
  })

  it('loads older messages when scrolled to the top, and keeps the place', async () => {
    const list = mount(MessageList, { props: { messages, hasOlder: true }, attachTo: document.body })
    const el = list.find('#transcript').element
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 300 })
    await list.find('#transcript').trigger('scroll')
    expect(list.emitted('older')).toBeUndefined()
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 0 })
    await list.find('#transcript').trigger('scroll')
    expect(list.emitted('older')).toHaveLength(1)
    await list.setProps({ loadingOlder: true })
    await list.find('#transcript').trigger('scroll')
    expect(list.emitted('older')).toHaveLength(1)
    // the page arrives: what was at the top stays in view
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => 1000 })
    await list.setProps({ loadingOlder: false, messages: [more(0), ...messages] })
    expect(el.scrollTop).toBe(0)
    list.unmount()
  })

  it('keeps the place by the added height', async () => {
    const list = mount(MessageList, { props: { messages, hasOlder: true }, attachTo: document.body })
    const el = list.find('#transcript').element
    // each message 300 px high
    const height = () => 400 + 300 * el.querySelectorAll('li').length
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: height })
    Object.defineProperty(el, 'clientHeight', { configurable: true, value: 200 })
    el.scrollTop = 0
    await list.find('#transcript').trigger('scroll')
    await list.setProps({ messages: [more(0), ...messages] })
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(300)
    list.unmount()
  })

  it('follows new messages while the reader is at the bottom', async () => {
    const list = mount(MessageList, { props: { messages: [], me: 'me' }, attachTo: document.body })
    const el = list.find('#transcript').element
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 800 })
    await list.find('#transcript').trigger('scroll')
    await list.setProps({ messages: [...messages] })
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(1000)
    expect(list.find('#unseen').exists()).toBe(false)
    list.unmount()
  })

  it('stays put when the reader scrolled up, and offers a way down', async () => {
    const list = mount(MessageList, { props: { messages, me: 'me' } })
    const el = list.find('#transcript').element
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 100 })
    await list.find('#transcript').trigger('scroll')
    const longer = [...messages, more(3)]
    await list.setProps({ messages: longer })
    expect(el.scrollTop).toBe(100)
    expect(list.find('#unseen').exists()).toBe(true)
    // the same list again
    await list.setProps({ messages: [...longer] })
    expect(el.scrollTop).toBe(100)
    await list.find('#unseen').trigger('click')
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(1000)
    expect(list.find('#unseen').exists()).toBe(false)
  })

  it('goes down for the reader own new message, when they scroll down, and in another room', async () => {
    const list = mount(MessageList, { props: { messages, me: 'me', room: 'a' } })
    const el = list.find('#transcript').element
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 100 })
    await list.find('#transcript').trigger('scroll')
    await list.setProps({ messages: [...messages, more(3, 'x')] })
    expect(list.find('#unseen').exists()).toBe(true)
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 790 })
    await list.find('#transcript').trigger('scroll')
    expect(list.find('#unseen').exists()).toBe(false)
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 10 })
    await list.find('#transcript').trigger('scroll')
    const mine = { clientId: 'a', name: 'me', text: 'mine', ts: 1, status: 'sending' }
    await list.setProps({ outbox: [mine] })
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(1000)
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 10 })
    await list.find('#transcript').trigger('scroll')
    await list.setProps({ room: 'b', messages: [more(9, 'x')], outbox: [] })
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(1000)
  })

  it('keeps a reader at the bottom there when the transcript gets smaller', async () => {
    let resized
    const observed = []
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(callback) {
          resized = callback
        }
        observe(el) {
          observed.push(el)
        }
        disconnect() {
          observed.length = 0
        }
      },
    )
    const list = mount(MessageList, { props: { messages }, attachTo: document.body })
    const el = list.find('#transcript').element
    expect(observed).toEqual([el])
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 800 })
    await list.find('#transcript').trigger('scroll')
    layout(el, { scrollHeight: 1000, clientHeight: 150, scrollTop: 800 })
    resized()
    expect(el.scrollTop).toBe(1000)
    // a reader who scrolled up stays where they are
    layout(el, { scrollHeight: 1000, clientHeight: 150, scrollTop: 100 })
    await list.find('#transcript').trigger('scroll')
    resized()
    expect(el.scrollTop).toBe(100)
    list.unmount()
    expect(observed).toEqual([])
    vi.unstubAllGlobals()
  })

  it('does without ResizeObserver', () => {
    vi.stubGlobal('ResizeObserver', undefined)
    mount(MessageList, { props: { messages } }).unmount()
    vi.unstubAllGlobals()
  })

  it('survives a scroll after it is gone', async () => {
    const list = mount(MessageList, { props: { messages } })
    const box = list.find('#transcript')
    list.unmount()
    await box.trigger('scroll')
  })
})

describe('MessageComposer', () => {
  function composer(props = {}) {
    return mount(MessageComposer, { props: { connected: true, text: '', room: 'general', ...props } })
  }

  it('has a labelled message box and a send button', () => {
    const c = composer()
    expect(c.find('label[for="message"]').text()).toBe('Message')
    expect(c.find('#message').attributes('maxlength')).toBe('2000')
    expect(c.find('#message').attributes('placeholder')).toBe('Message #general')
    expect(c.find('#send').attributes('type')).toBe('submit')
  })

  it('sends on Enter and on submit, and says when one types', async () => {
    const c = composer()
    await c.find('#message').setValue('hi')
    expect(c.emitted('update:text')).toEqual([['hi']])
    await c.find('#message').trigger('keydown', { key: 'Enter' })
    await c.find('form').trigger('submit')
    expect(c.emitted('send')).toHaveLength(2)
    expect(c.emitted('typing')).toHaveLength(1)
  })

  it('does not count clearing the box as typing', async () => {
    const c = composer({ text: 'x' })
    await c.find('#message').setValue(' ')
    expect(c.emitted('typing')).toBeUndefined()
  })

  it('lets an input method finish composing', async () => {
    const c = composer()
    await c.find('#message').trigger('keydown', { key: 'Enter', isComposing: true })
    await c.find('#message').trigger('keydown', { key: 'Enter', keyCode: 229 })
    expect(c.emitted('send')).toBeUndefined()
  })

  it('says that messages wait while offline', () => {
    const c = composer({ connected: false })
    expect(c.find('#send').attributes('disabled')).toBeUndefined()
    expect(c.find('form').classes()).toContain('offline')
    expect(c.find('#message').attributes('placeholder')).toBe('Offline: messages wait to be sent')
  })
})

describe('MemberList', () => {
  it('lists the people in the room, names as text', () => {
    const m = mount(MemberList, { props: { members: ['ann', '<b>bob</b>'], me: 'ann' } })
    expect(m.find('section').attributes('aria-labelledby')).toBe('members-title')
    expect(m.find('#members-title').text()).toBe('2 people here')
    expect(m.findAll('#members li bdi').map((b) => b.text())).toEqual(['ann', '<b>bob</b>'])
    expect(m.find('#members b').exists()).toBe(false)
    expect(m.find('li.own').text()).toBe('ann (you)')
  })

  it('tells how many are in a big room whose names the server leaves out', () => {
    const m = mount(MemberList, { props: { members: [], count: 1500 } })
    expect(m.find('#members-title').text()).toBe('1500 people here')
    expect(m.findAll('#members li')).toHaveLength(0)
  })
})

describe('RoomList', () => {
  const rooms = [
    { name: 'general', unread: 0, joined: true },
    { name: 'games', unread: 3, joined: false },
  ]

  it('lists the rooms as buttons, the current one marked, unread counted', async () => {
    const list = mount(RoomList, { props: { rooms, current: 'general', join: async () => null } })
    expect(list.find('nav').attributes('aria-label')).toBe('Rooms')
    const buttons = list.findAll('.room-button')
    expect(buttons.map((b) => b.text())).toEqual(['#general', '#games, 3 unread'])
    expect(buttons.map((b) => b.attributes('aria-current'))).toEqual(['true', undefined])
    expect(list.findAll('li.room-tab')[1].classes()).toContain('unjoined')
    await buttons[1].trigger('click')
    await list.findAll('button.leave')[0].trigger('click')
    expect(list.emitted('select')).toEqual([['games']])
    expect(list.emitted('leave')).toEqual([['general']])
    expect(list.find('.others').exists()).toBe(false)
  })

  it('checks a name before joining, and shows what join answered', async () => {
    const asked = []
    let answer = 'at most 20 rooms per connection'
    const join = async (name) => {
      asked.push(name)
      return answer
    }
    const list = mount(RoomList, { props: { rooms, current: 'general', join } })
    await list.find('#room-name').setValue('Bad Name')
    await list.find('form').trigger('submit')
    expect(list.find('#join-error').text()).toBe(ROOM_RULE)
    expect(asked).toEqual([])
    await list.find('#room-name').setValue(' Music ')
    await list.find('form').trigger('submit')
    await flushPromises()
    expect(asked).toEqual(['music'])
    expect(list.find('#join-error').text()).toBe('at most 20 rooms per connection')
    expect(list.find('#room-name').element.value).toBe(' Music ')
    answer = null
    await list.find('form').trigger('submit')
    await flushPromises()
    expect(list.find('#join-error').exists()).toBe(false)
    expect(list.find('#room-name').element.value).toBe('')
  })
})

describe('ConnectionStatus', () => {
  it('shows the state, and a retry button while reconnecting', async () => {
    const s = mount(ConnectionStatus, { props: { state: 'connected' } })
    expect(s.find('#status').text()).toBe('connected')
    expect(s.find('#status').attributes('role')).toBe('status')
    expect(s.find('#retry').exists()).toBe(false)
    await s.setProps({ state: 'reconnecting' })
    await s.find('#retry').trigger('click')
    expect(s.emitted('retry')).toHaveLength(1)
    await s.setProps({ state: 'closed' })
    expect(s.find('#status').text()).toBe('disconnected')
    await s.setProps({ state: 'odd' })
    expect(s.find('#status').text()).toBe('odd')
  })
})

describe('UserIdentity', () => {
  it('is a labelled name field without login', async () => {
    const who = mount(UserIdentity, { props: { modelValue: 'ann', placeholder: 'guest-1' } })
    expect(who.find('label[for="name"]').text()).toBe('Name')
    const input = who.find('#name')
    expect(input.element.value).toBe('ann')
    expect(input.attributes('placeholder')).toBe('guest-1')
    expect(input.attributes('maxlength')).toBe('40')
    await input.setValue('bob')
    expect(who.emitted('update:modelValue')).toEqual([['bob']])
    expect(who.find('#logout').exists()).toBe(false)
  })

  it('names the logged-in user and offers to log out with a POST', () => {
    const who = mount(UserIdentity, { props: { user: 'ann', xsrf: 'token-1' } })
    expect(who.find('#name').exists()).toBe(false)
    expect(who.find('#user').text()).toBe('Signed in as ann')
    const form = who.find('form.logout-form')
    expect(form.attributes('method')).toBe('post')
    expect(form.attributes('action')).toBe('/logout')
    expect(form.find('input[name="_xsrf"]').element.value).toBe('token-1')
    expect(who.find('#logout').attributes('type')).toBe('submit')
    expect(who.find('#logout').text()).toBe('Log out')
  })

  it('posts an empty token when the server gave none (the server refuses it)', () => {
    const who = mount(UserIdentity, { props: { user: 'ann' } })
    expect(who.find('input[name="_xsrf"]').element.value).toBe('')
  })
})

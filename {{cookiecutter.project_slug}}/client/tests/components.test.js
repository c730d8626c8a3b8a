import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ConnectionStatus from '../src/components/ConnectionStatus.vue'
import MessageComposer from '../src/components/MessageComposer.vue'
import MessageList from '../src/components/MessageList.vue'
import UserIdentity from '../src/components/UserIdentity.vue'
import { toMessage } from '../src/messages.js'

// happy-dom does no layout: give the transcript the sizes a browser would.
function layout(el, { scrollHeight, clientHeight, scrollTop }) {
  Object.defineProperty(el, 'scrollHeight', { configurable: true, value: scrollHeight })
  Object.defineProperty(el, 'clientHeight', { configurable: true, value: clientHeight })
  el.scrollTop = scrollTop
}

describe('MessageList', () => {
  const messages = [
    toMessage({ name: 'ann', text: 'hello', ts: 1764064800 }),
    toMessage({ name: 'bob', text: '<b>not bold</b>', ts: 1764064860 }),
  ]

  it('shows name, time and text of each message, text as text', () => {
    const list = mount(MessageList, { props: { messages, me: 'bob' } })
    const items = list.findAll('li.message')
    expect(items).toHaveLength(2)
    expect(items[0].find('.name').text()).toBe('ann')
    expect(items[0].find('time').attributes('datetime')).toBe('2025-11-25T10:00:00.000Z')
    expect(items[0].find('time').text()).toMatch(/\d\d:\d\d$/)
    expect(items[1].find('.text').text()).toBe('<b>not bold</b>')
    expect(items[1].find('b').exists()).toBe(false)
  })

  it('isolates each name and text, so bidi controls stay inside them', () => {
    const spoofed = [toMessage({ name: 'innocent\u202egnp.exe', text: '\u202eevil', ts: 1 })]
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

  it('is a live region with a label', () => {
    const list = mount(MessageList, { props: { messages: [] } })
    const ul = list.find('#transcript')
    expect(ul.attributes('aria-live')).toBe('polite')
    expect(ul.attributes('role')).toBe('log')
    expect(ul.attributes('aria-label')).toBe('Messages')
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
    const more = [...messages, toMessage({ name: 'ann', text: 'more', ts: 1764064900 })]
    await list.setProps({ messages: more })
    expect(el.scrollTop).toBe(100)
    expect(list.find('#unseen').exists()).toBe(true)
    // the same list again (e.g. a history that changed nothing at the end)
    await list.setProps({ messages: [...more] })
    expect(el.scrollTop).toBe(100)
    await list.find('#unseen').trigger('click')
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(1000)
    expect(list.find('#unseen').exists()).toBe(false)
  })

  it('goes down for the reader own new message, and when they scroll down', async () => {
    const list = mount(MessageList, { props: { messages, me: 'me' } })
    const el = list.find('#transcript').element
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 100 })
    await list.find('#transcript').trigger('scroll')
    await list.setProps({ messages: [...messages, toMessage({ name: 'x', text: '1' })] })
    expect(list.find('#unseen').exists()).toBe(true)
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 790 })
    await list.find('#transcript').trigger('scroll')
    expect(list.find('#unseen').exists()).toBe(false)
    layout(el, { scrollHeight: 1000, clientHeight: 200, scrollTop: 0 })
    await list.find('#transcript').trigger('scroll')
    await list.setProps({ messages: [...messages, toMessage({ name: 'me', text: 'mine' })] })
    await list.vm.$nextTick()
    expect(el.scrollTop).toBe(1000)
  })

  it('survives a scroll after it is gone', async () => {
    const list = mount(MessageList, { props: { messages } })
    const ul = list.find('#transcript')
    list.unmount()
    await ul.trigger('scroll')
  })
})

describe('MessageComposer', () => {
  function composer(props = {}) {
    return mount(MessageComposer, { props: { connected: true, text: '', ...props } })
  }

  it('has a labelled message box and a send button', () => {
    const c = composer()
    expect(c.find('label[for="message"]').text()).toBe('Message')
    expect(c.find('#message').attributes('maxlength')).toBe('2000')
    expect(c.find('#send').attributes('disabled')).toBeUndefined()
  })

  it('sends on Enter and on submit', async () => {
    const c = composer()
    await c.find('#message').setValue('hi')
    expect(c.emitted('update:text')).toEqual([['hi']])
    await c.find('#message').trigger('keydown', { key: 'Enter' })
    await c.find('form').trigger('submit')
    expect(c.emitted('send')).toHaveLength(2)
  })

  it('lets an input method finish composing', async () => {
    const c = composer()
    await c.find('#message').trigger('keydown', { key: 'Enter', isComposing: true })
    await c.find('#message').trigger('keydown', { key: 'Enter', keyCode: 229 })
    expect(c.emitted('send')).toBeUndefined()
  })

  it('marks an unsent text until it is edited', async () => {
    const c = composer({ unsent: true, text: 'kept' })
    const input = c.find('#message')
    expect(input.classes()).toContain('unsent')
    expect(input.attributes('aria-invalid')).toBe('true')
    expect(input.attributes('aria-describedby')).toBe('notice')
    await input.trigger('input')
    expect(c.emitted('update:unsent')).toEqual([[false]])
  })

  it('disables Send while offline', () => {
    const c = composer({ connected: false })
    expect(c.find('#send').attributes('disabled')).toBeDefined()
    expect(c.find('form').classes()).toContain('offline')
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

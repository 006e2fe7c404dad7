import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ignoredBy, isEditorTemp } from '../../src/watch/paths.js'
import { Debouncer, LatestQueue } from '../../src/watch/queue.js'

describe('LatestQueue', () => {
  it('runs one job per key at a time, keeps one pending, and the latest value wins', async () => {
    const ran: string[] = []
    let running = 0
    let most = 0
    const gates: Array<() => void> = []
    const q = new LatestQueue<string, number>(async (key, v) => {
      running += 1
      most = Math.max(most, running)
      ran.push(`${key}${v}`)
      await new Promise<void>((r) => gates.push(r))
      running -= 1
    }, 2)
    q.push('a', 1)
    await sleep(0)
    q.push('a', 2)
    q.push('a', 3)
    q.push('a', 4)
    await sleep(0)
    expect(ran).toEqual(['a1'])
    gates.shift()?.()
    await sleep(0)
    expect(ran).toEqual(['a1', 'a4'])
    gates.shift()?.()
    await q.idle()
    expect(most).toBe(1)
  })

  it('runs at most `limit` keys at once and survives a throwing job', async () => {
    let running = 0
    let most = 0
    const q = new LatestQueue<string, number>(async (key) => {
      running += 1
      most = Math.max(most, running)
      await sleep(5)
      running -= 1
      if (key === 'b') throw new Error('boom')
    }, 2)
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.push(k, 1)
    await q.idle()
    expect(most).toBe(2)
    q.push('b', 2)
    await q.settled('b')
    expect(q.size).toBe(0)
  })

  it('drops a pending run', async () => {
    const ran: number[] = []
    const q = new LatestQueue<string, number>(async (_k, v) => {
      ran.push(v)
      await sleep(5)
    }, 1)
    q.push('a', 1)
    q.push('a', 2)
    q.drop('a')
    await q.idle()
    expect(ran).toEqual([1])
  })
})

describe('Debouncer', () => {
  // Fake timers and a fake clock: the debouncer's waits are exact, and the test takes no time.
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] }))
  afterEach(() => vi.useRealTimers())

  it('fires once per key after the burst', () => {
    const fired: string[] = []
    const d = new Debouncer<string>(20, (k) => fired.push(k), 30)
    for (let i = 0; i < 10; i += 1) {
      d.touch('a')
      d.touch('b')
    }
    expect(d.pending).toBe(2)
    vi.advanceTimersByTime(29)
    expect(fired).toEqual([])
    vi.advanceTimersByTime(1)
    expect(fired.sort()).toEqual(['a', 'b'])
    d.touch('c')
    d.clear()
    vi.advanceTimersByTime(60)
    expect(fired).toHaveLength(2)
  })

  it('fires a single save after the short quiet period, a burst only after the long one', () => {
    const fired: string[] = []
    const d = new Debouncer<string>(10, (k) => fired.push(k), 1000)
    d.touch('single')
    for (let i = 0; i < 5; i += 1) d.touch('burst')
    vi.advanceTimersByTime(10)
    expect(fired).toEqual(['single'])
    vi.advanceTimersByTime(989)
    expect(fired).toEqual(['single'])
    vi.advanceTimersByTime(1)
    expect(fired).toEqual(['single', 'burst'])
    // Right after a fire, the next event still counts as the same burst.
    d.touch('single')
    vi.advanceTimersByTime(300)
    expect(fired).toHaveLength(2)
    vi.advanceTimersByTime(700)
    expect(fired).toHaveLength(3)
  })
})

describe('ignored paths', () => {
  it.each([
    'deck.md~',
    '.deck.md.swp',
    'deck.md.swx',
    '4913',
    '#deck.md#',
    '.#deck.md',
    'deck.md.tmp',
    '.deck.html.tmp-12-ab12cd34',
    'node_modules',
  ])('ignores the editor file %s', (name) => expect(isEditorTemp(path.join('/p/slides', name))).toBe(true))
  it.each(['deck.md', 'theme.css', 'img.png', 'my-4913.md'])('watches %s', (name) =>
    expect(isEditorTemp(path.join('/p/slides', name))).toBe(false),
  )
  it('ignores the output folder but not a sibling that shares its prefix', () => {
    const ignored = ignoredBy('/p/dist')
    expect(ignored('/p/dist')).toBe(true)
    expect(ignored('/p/dist/a.html')).toBe(true)
    expect(ignored('/p/dist-src/a.md')).toBe(false)
  })
})

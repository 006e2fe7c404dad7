import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ERASE_LINE, isLiveTerminal, liveLine, plainLine, Progress, progressInterval } from '../../src/cli/progress.js'
import { Printer } from '../../src/cli/printer.js'

// The progress lines: the live line's text and its redraws (a fake terminal), the plain lines'
// timing (a fake clock), and the printer that erases the live line before its own lines.

function sink(isTTY = false) {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number }
  if (isTTY) {
    stream.isTTY = true
    stream.columns = 60
  }
  let text = ''
  stream.on('data', (d: Buffer) => (text += d.toString()))
  return { stream, text: () => text }
}

const rel = (f: string) => f.replace('/p/', '')

describe('progress lines', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('the live line: deck n/N, the deck, its stage, slide n/M, seconds; cut to the terminal width', () => {
    const p = { deck: '/p/slides/talk.md', index: 3, total: 10, stage: 'shots' as const, slides: { done: 12, total: 40 }, since: 0 }
    expect(liveLine(p, 'slides/talk.md', 4200)).toBe('[3/10] slides/talk.md: taking screenshots, slide 12/40, 4 s')
    const cut = liveLine(p, 'slides/talk.md', 4200, 30)
    expect(cut).toHaveLength(29)
    expect(cut.endsWith('…')).toBe(true)
    expect(plainLine({ ...p, stage: 'pdf', slides: undefined }, 'slides/talk.md', 12_900)).toBe(
      'building slides/talk.md (deck 3/10): printing PDF, 12 s',
    )
  })

  it('on a terminal: one line redrawn in place with \\r and erase-line, erased at the end', () => {
    let now = 0
    const { stream, text } = sink(true)
    const progress = new Progress({ stream, live: true, rel, now: () => now, columns: () => 80 })
    progress.update({ type: 'deck-start', deck: '/p/a.md', index: 1, total: 2 })
    now = 500
    progress.update({ type: 'stage', deck: '/p/a.md', stage: 'pdf' })
    now = 520
    // A slide count within 100 ms of the last redraw waits for the next one.
    progress.update({ type: 'stage', deck: '/p/a.md', stage: 'pdf', slides: { done: 1, total: 3 } })
    now = 700
    progress.update({ type: 'stage', deck: '/p/a.md', stage: 'pdf', slides: { done: 2, total: 3 } })
    progress.update({ type: 'deck-done', deck: '/p/a.md' })
    expect(text()).toBe(
      `${ERASE_LINE}[1/2] a.md: starting, 0 s` +
        `${ERASE_LINE}[1/2] a.md: printing PDF, 0 s` +
        `${ERASE_LINE}[1/2] a.md: printing PDF, slide 2/3, 0 s` +
        ERASE_LINE,
    )
    expect(text()).not.toContain('\n')
  })

  it('without a terminal: a plain line per deck in progress after each interval of silence, none after the run', () => {
    vi.useFakeTimers()
    let now = 0
    const { stream, text } = sink(false)
    const progress = new Progress({ stream, live: false, intervalMs: 5000, rel, now: () => now })
    progress.update({ type: 'deck-start', deck: '/p/a.md', index: 1, total: 1 })
    progress.update({ type: 'stage', deck: '/p/a.md', stage: 'render' })
    now = 4000
    vi.advanceTimersByTime(4000)
    expect(text()).toBe('')
    progress.update({ type: 'stage', deck: '/p/a.md', stage: 'pdf' })
    now = 5000
    vi.advanceTimersByTime(1000)
    expect(text()).toBe('building a.md (deck 1/1): printing PDF, 5 s\n')
    // Another line printed restarts the silence.
    now = 8000
    progress.printed()
    now = 12_000
    vi.advanceTimersByTime(7000)
    expect(text().split('\n').filter(Boolean)).toHaveLength(1)
    now = 13_000
    vi.advanceTimersByTime(1000)
    expect(text().split('\n').filter(Boolean)).toHaveLength(2)
    progress.update({ type: 'deck-done', deck: '/p/a.md' })
    now = 60_000
    vi.advanceTimersByTime(47_000)
    expect(text().split('\n').filter(Boolean)).toHaveLength(2)
  })

  it('without a terminal: no silence of work lasts longer than the interval', () => {
    vi.useFakeTimers()
    const { stream } = sink(false)
    const times: number[] = []
    stream.on('data', () => times.push(Date.now()))
    const start = Date.now()
    const progress = new Progress({ stream, live: false, intervalMs: 5000, rel, now: () => Date.now() })
    progress.update({ type: 'deck-start', deck: '/p/a.md', index: 1, total: 1 })
    vi.advanceTimersByTime(60_000)
    progress.stop()
    const gaps = [start, ...times].slice(1).map((t, i) => t - [start, ...times][i]!)
    expect(times.length).toBeGreaterThanOrEqual(12)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5000)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(4500)
  })

  it('the printer erases the live line before its own lines and draws it again after; --quiet draws nothing', () => {
    const tty = sink(true)
    const printer = new Printer({ cwd: '/p', quiet: false, stream: tty.stream })
    printer.event({ type: 'deck-start', deck: '/p/a.md', index: 1, total: 1 })
    printer.event({ type: 'output', deck: '/p/a.md', format: 'html', file: '/p/dist/a.html', bytes: 1, ms: 5 })
    printer.close()
    expect(tty.text()).toBe(
      `${ERASE_LINE}[1/1] a.md: starting, 0 s${ERASE_LINE}a.md => dist/a.html (5 ms)\n${ERASE_LINE}[1/1] a.md: starting, 0 s${ERASE_LINE}`,
    )
    const quiet = sink(true)
    const silent = new Printer({ cwd: '/p', quiet: true, stream: quiet.stream })
    silent.event({ type: 'deck-start', deck: '/p/a.md', index: 1, total: 1 })
    silent.event({ type: 'stage', deck: '/p/a.md', stage: 'pdf' })
    silent.close()
    expect(quiet.text()).toBe('')
  })

  it('a terminal is a TTY whose TERM is not dumb; the interval is 5 s unless the tests set DECK_PROGRESS_INTERVAL_MS', () => {
    expect(isLiveTerminal(sink(true).stream, {})).toBe(true)
    expect(isLiveTerminal(sink(true).stream, { TERM: 'dumb' })).toBe(false)
    expect(isLiveTerminal(sink(false).stream, {})).toBe(false)
    expect(progressInterval({})).toBe(5000)
    expect(progressInterval({ DECK_PROGRESS_INTERVAL_MS: '50' })).toBe(50)
    expect(progressInterval({ DECK_PROGRESS_INTERVAL_MS: 'soon' })).toBe(5000)
  })
})

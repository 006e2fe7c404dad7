import path from 'node:path'
import { afterEach, describe, expect, it, onTestFinished } from 'vitest'
import { DeckError } from '../../src/util/errors.js'
import { RenderAhead } from '../../src/render/ahead.js'
import { renderDeck, type RenderedDeck } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { ROOT, SEED, tempProject, workerOptions } from '../helpers/project.js'

// The worker as the CLI runs it: compiled into lib/ (`npm test` compiles before it runs vitest).
const WORKER = new URL('lib/src/render/worker.js', `file://${ROOT}/`)
const OPTIONS = workerOptions(ROOT)

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

/** A worker on `files`, closed when the test ends however it ends. */
function started(options: typeof OPTIONS, files: string[]): RenderAhead {
  const ahead = RenderAhead.start(options, files, WORKER)
  expect(ahead).toBeDefined()
  onTestFinished(() => ahead!.close())
  return ahead!
}

describe('RenderAhead (decks of a one-shot build rendered in a worker thread)', () => {
  it('gives the same render as this thread, findings and all', async () => {
    const ahead = started(OPTIONS, [SEED])
    const fromWorker = await ahead.take(SEED, () => Promise.reject(new Error('rendered here, not in the worker')))
    const themes = new ThemeRegistry(ROOT)
    await themes.addProject([])
    const here = await renderDeck(SEED, { themes, html: false, fetchRemote: false, remoteTimeoutMs: 1000 })
    expect(fromWorker.slideCount).toBe(16)
    expect(fromWorker.diagnostics.map((d) => `${d.line}:${d.rule}`)).toContain('6:front-matter')
    // Scoped-style ids included: they come from the deck, not from the engine (deck/deterministic.ts).
    expect(fromWorker).toEqual(here)
  })

  it('brings a DeckError back as a DeckError, with its file and hint, and the next deck still renders', async () => {
    const p = await tempProject({ 'slides/ok.md': '# Fine\n' })
    cleanup = p.cleanup
    const missing = path.join(p.dir, 'slides/missing.md')
    const ok = path.join(p.dir, 'slides/ok.md')
    const ahead = started({ ...OPTIONS, root: p.dir }, [missing, ok])
    const error = await ahead.take(missing, () => Promise.reject(new Error('here'))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DeckError)
    expect((error as DeckError).message).toMatch(/cannot read deck: ENOENT/)
    expect((error as DeckError).location?.file).toBe(missing)
    expect((error as DeckError).hint).toMatch(/exists/)
    expect((await ahead.take(ok, () => Promise.reject(new Error('here')))).title).toBe('Fine')
  })

  it('renders on this thread a deck the worker never answered for, and a deck taken twice anew', async () => {
    const p = await tempProject({ 'slides/a.md': '# A\n' })
    cleanup = p.cleanup
    const deck = path.join(p.dir, 'slides/a.md')
    const ahead = started({ ...OPTIONS, root: p.dir }, [deck])
    // Stopped long before it has even loaded marp-core.
    await ahead.close()
    let here = 0
    const fallback = () => Promise.resolve({ title: `here ${(here += 1)}` } as RenderedDeck)
    expect((await ahead.take(deck, fallback)).title).toBe('here 1')
    expect((await ahead.take(deck, fallback)).title).toBe('here 2')
  })

  it('is not started without the compiled worker, nor for no decks', () => {
    expect(RenderAhead.start(OPTIONS, [SEED], new URL('file:///nowhere/render-worker.js'))).toBeUndefined()
    expect(RenderAhead.start(OPTIONS, [], WORKER)).toBeUndefined()
  })
})

import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { load } from 'cheerio'
import puppeteer from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findBrowser, needsNoSandbox } from '../../src/browser/find.js'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { readPdf, readPptx } from '../helpers/outputs.js'
import { buildOptions, FIXTURES, tempProject } from '../helpers/project.js'

/**
 * marp-cli's `transition` directive: the HTML deck carries the transition of each slide as
 * marp-cli 4.5.1 writes it and its viewer plays it (View Transitions API) when navigating; the
 * PDF and PPTX ignore it, with no finding.
 */

let dir: string
let cleanup: () => Promise<void>
let builder: Builder
let result: DeckResult

beforeAll(async () => {
  const p = await tempProject({ 'slides/transition-deck.md': await readFile(path.join(FIXTURES, 'compat/transition-deck.md'), 'utf8') })
  dir = p.dir
  cleanup = p.cleanup
  builder = new Builder(buildOptions(dir, { formats: ['html', 'pdf', 'pptx'] }))
  await builder.init()
  result = await builder.buildDeck(path.join(dir, 'slides/transition-deck.md'))
  expect(result.errors).toEqual([])
})

afterAll(async () => {
  await builder?.close()
  await cleanup?.()
})

const htmlFile = () => path.join(dir, 'dist/transition-deck.html')

describe('transitions in the HTML deck', () => {
  it('carries each slide’s transition, forward and back, and the keyframes of the built-in ones used', async () => {
    const text = await readFile(htmlFile(), 'utf8')
    const $ = load(text)
    const data = (i: number, attr: string) => {
      const raw = $('section[id]').eq(i).attr(attr)
      return raw === undefined ? undefined : (JSON.parse(raw) as unknown)
    }
    const fade = { name: 'fade', builtinFallback: true }
    const cube = { name: 'cube', duration: '0.3s', builtinFallback: true }
    expect([data(0, 'data-transition'), data(1, 'data-transition'), data(2, 'data-transition')]).toEqual([fade, cube, fade])
    expect([data(0, 'data-transition-back'), data(1, 'data-transition-back'), data(2, 'data-transition-back')]).toEqual([
      undefined,
      fade,
      cube,
    ])
    expect(text).toContain('@keyframes marp-incoming-transition-__builtin__fade')
    expect(text).toContain('@keyframes marp-outgoing-transition-__builtin__cube')
    // Only the transitions the deck uses.
    expect(text).not.toContain('__builtin__zoom')
  })

  it('plays them in Chromium: the next slide shows, through a view transition, with no console error', async () => {
    // A Chromium paced as a viewer's is: the pipeline's own draws frames only on demand
    // (--disable-frame-rate-limit, for fast screenshots), where a view transition's animations
    // never advance.
    const browser = await puppeteer.launch({ executablePath: findBrowser(), args: needsNoSandbox() ? ['--no-sandbox'] : [] })
    const run = await (async () => {
      const page = await browser.newPage()
      const errors: string[] = []
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text())
      })
      page.on('pageerror', (e) => errors.push(String(e)))
      await page.goto(pathToFileURL(htmlFile()).href, { waitUntil: 'load' })
      // Each view transition the viewer starts is counted, and the last kept to wait for its end
      // (the viewer ignores a key pressed while one runs, as marp-cli's does).
      const supported = await page.evaluate(() => {
        if (typeof document.startViewTransition !== 'function') return false
        const start = document.startViewTransition.bind(document)
        const seen = window as unknown as { deckTransitions: ViewTransition[] }
        seen.deckTransitions = []
        document.startViewTransition = (arg?: ViewTransitionUpdateCallback | StartViewTransitionOptions) => {
          const transition = start(arg)
          seen.deckTransitions.push(transition)
          return transition
        }
        return true
      })
      const settled = () =>
        page.evaluate(async () => {
          const seen = (window as unknown as { deckTransitions?: Array<{ finished: Promise<void> }> }).deckTransitions ?? []
          await seen[seen.length - 1]?.finished
          return seen.length
        })
      const active = () =>
        page.evaluate(() => {
          const section = document.querySelector<HTMLElement>('svg.bespoke-marp-active section[id]')
          const box = section?.getBoundingClientRect()
          return { hash: location.hash, id: section?.id, visible: !!box && box.width > 0 && box.height > 0 }
        })
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#2', { timeout: 10_000 })
      await settled()
      const second = await active()
      await page.keyboard.press('ArrowRight')
      await page.waitForFunction(() => location.hash === '#3', { timeout: 10_000 })
      await settled()
      await page.keyboard.press('ArrowLeft')
      await page.waitForFunction(() => location.hash === '#2', { timeout: 10_000 })
      const transitions = await settled()
      const back = await active()
      return { supported, second, back, transitions, errors }
    })().finally(() => browser.close())
    expect(run.errors).toEqual([])
    expect(run.second).toEqual({ hash: '#2', id: '2', visible: true })
    expect(run.back).toEqual({ hash: '#2', id: '2', visible: true })
    // Chromium has the View Transitions API; each of the three moves went through it.
    expect(run.supported).toBe(true)
    expect(run.transitions).toBe(3)
  })
})

describe('transitions in the PDF and PPTX', () => {
  it('are ignored, with no finding', async () => {
    expect(result.diagnostics.filter((f) => /transition/i.test(`${f.message} ${f.hint ?? ''}`))).toEqual([])
    expect((await readPdf(path.join(dir, 'dist/transition-deck.pdf'))).pages).toBe(3)
    expect((await readPptx(path.join(dir, 'dist/transition-deck.pptx'))).slides).toBe(3)
  })
})

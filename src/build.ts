import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'puppeteer-core'
import { BrowserManager } from './browser/manager.js'
import createDebug from './debug.js'
import type { Diagnostic } from './diagnostics.js'
import { buildHtml } from './export/html.js'
import { drainShots, shotJobs, type ShotJob } from './export/images.js'
import { loadDeck } from './export/page.js'
import { finishPdf, printPdf } from './export/pdf.js'
import { buildPptx } from './export/pptx.js'
import { writeFileAtomic } from './fsutil.js'
import { renderDeck, type RenderContext, type RenderedDeck } from './render.js'
import { ThemeRegistry } from './theme.js'
import { WarmPages, type PageCheck } from './warm-pages.js'

/**
 * Orchestration: render each deck once, then derive every requested output from that render.
 * HTML needs no browser and is written as soon as it is ready; PDF, PNG and PPTX share one page
 * per deck in the one browser. A deck that fails keeps its previous outputs and does not stop
 * the others.
 */
const debug = createDebug('build')

export const FORMATS = ['html', 'pdf', 'pptx', 'png'] as const
export type Format = (typeof FORMATS)[number]

export interface BuildOptions {
  /** Project root: `slides/` and `css/` live here; relative paths resolve from here. */
  root: string
  outDir: string
  formats: Format[]
  /** Extra theme CSS files or folders (css/ is always included when it exists). */
  themeSets: string[]
  html: boolean
  pdfNotes: boolean
  /** Device scale factor of PNG output (PPTX images are always 2x). */
  imageScale: number
  fetchRemote: boolean
  remoteTimeoutMs: number
  browserPath?: string
  browserTimeoutMs: number
  /** Date stamped into PDF and PPTX metadata; fixed so outputs are reproducible. */
  date: Date
}

export interface OutputRecord {
  format: Format
  file: string
  bytes: number
  ms: number
}

export interface DeckResult {
  file: string
  outputs: OutputRecord[]
  diagnostics: Diagnostic[]
  errors: unknown[]
  deck?: RenderedDeck
  renderMs: number
}

export interface BuildHooks {
  onOutput?: (deck: string, out: OutputRecord) => void
}

export const PPTX_SCALE = 2
/**
 * Below this many screenshots a second Chromium costs more than it saves: its launch and page
 * load take CPU from the first one on a 2-core machine (seed deck, 16 shots: 3.9 s with two
 * against 3.5 s with one), and it adds ~300 MB at the peak.
 */
const MIN_SHOTS_TO_SHARE = 40

export type { PageCheck, SlideMeasure } from './warm-pages.js'

/** A check of the Markdown and its render (lint's content rules), run after every render. */
export type DeckCheck = (deck: RenderedDeck) => Diagnostic[]

/** The last word on a deck's findings: drops rules turned off (per project, per slide). */
export type DiagnosticReview = (deck: RenderedDeck, list: Diagnostic[]) => Diagnostic[]

export class Builder {
  readonly themes: ThemeRegistry
  readonly browser: BrowserManager
  /** Checks run in each deck's print page when the build opens one. */
  readonly pageChecks: PageCheck[] = []
  readonly deckChecks: DeckCheck[] = []
  review: DiagnosticReview = (_deck, list) => list
  /**
   * Keep each deck's print page open between builds and update it in place (watch mode): the
   * next PDF of the seed deck then takes ~120 ms of browser time instead of ~330 ms, and the page
   * checks measure only the slides a save changed.
   */
  keepPages = false
  private readonly warmPages = new WarmPages(() => this.browser.newPage())
  private readonly slidesDir: string

  constructor(
    readonly options: BuildOptions,
    browser?: BrowserManager,
  ) {
    this.themes = new ThemeRegistry(options.root)
    this.browser = browser ?? new BrowserManager({ timeoutMs: options.browserTimeoutMs, ...(options.browserPath ? { executablePath: options.browserPath } : {}) })
    this.slidesDir = path.join(options.root, 'slides')
  }

  /** Load the theme set: the project's css/ folder, then every --theme-set path. */
  async init(): Promise<void> {
    const cssDir = path.join(this.options.root, 'css')
    if (existsSync(cssDir)) await this.themes.addPath(cssDir)
    for (const p of this.options.themeSets) await this.themes.addPath(p)
  }

  get renderContext(): RenderContext {
    return {
      themes: this.themes,
      html: this.options.html,
      fetchRemote: this.options.fetchRemote,
      remoteTimeoutMs: this.options.remoteTimeoutMs,
    }
  }

  /** dist/<path under slides/ or file name>.<ext>; PNGs get the slide number: deck.001.png. */
  outputPath(deckFile: string, format: Format, slide?: number): string {
    const inSlides = deckFile.startsWith(this.slidesDir + path.sep)
    const rel = inSlides ? path.relative(this.slidesDir, deckFile) : path.basename(deckFile)
    const base = path.join(this.options.outDir, rel.replace(/\.md$/i, ''))
    if (format === 'png') return `${base}.${String((slide ?? 0) + 1).padStart(3, '0')}.png`
    return `${base}.${format}`
  }

  needsBrowser(formats: Format[]): boolean {
    return formats.some((f) => f !== 'html')
  }

  async buildDeck(file: string, formats: Format[] = this.options.formats, hooks: BuildHooks = {}): Promise<DeckResult> {
    const result: DeckResult = { file, outputs: [], diagnostics: [], errors: [], renderMs: 0 }
    const started = performance.now()
    const deck = await this.renderInto(result)
    if (!deck) return result
    debug('%s: rendered at %d ms', file, performance.now() - started)
    this.themes.recordUse(file, deck.theme.files)
    await this.writeOutputs(deck, formats, hooks, started, result)
    return result
  }

  /**
   * Write outputs of a deck that is already rendered. Watch mode refreshes PDF/PPTX/PNG through
   * this in a lane of its own, so a slow PDF never holds back the HTML of the next save.
   */
  async exportDeck(deck: RenderedDeck, formats: Format[], hooks: BuildHooks = {}): Promise<DeckResult> {
    const result: DeckResult = { file: deck.file, outputs: [], diagnostics: [], errors: [], deck, renderMs: 0 }
    if (this.needsBrowser(formats)) await this.writeOutputs(deck, formats, hooks, performance.now(), result)
    else await this.checkPage(deck, result)
    return result
  }

  private async writeOutputs(deck: RenderedDeck, formats: Format[], hooks: BuildHooks, started: number, result: DeckResult): Promise<void> {
    const { file } = deck
    const emit = async (format: Format, out: string, data: string | Uint8Array, since: number) => {
      await writeFileAtomic(out, data)
      const record = { format, file: out, bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength, ms: performance.now() - since }
      result.outputs.push(record)
      hooks.onOutput?.(file, record)
    }
    const guard = (p: Promise<void>) => p.catch((e: unknown) => void result.errors.push(e))

    // The HTML is built once the print page has loaded: this thread's work (the viewer shell on
    // first use, the page text) then runs while Chromium prints, instead of holding back the
    // commands that load the page.
    const jobs: Array<Promise<void>> = []
    let pageLoaded: Promise<void> = Promise.resolve()
    if (this.needsBrowser(formats)) {
      let loaded = (): void => {}
      pageLoaded = new Promise<void>((resolve) => (loaded = resolve))
      jobs.push(guard(this.browserOutputs(deck, formats, started, emit, result.diagnostics, loaded).finally(loaded)))
    }
    if (formats.includes('html')) {
      jobs.push(guard((async () => {
        await pageLoaded
        await emit('html', this.outputPath(file, 'html'), await buildHtml(deck), started)
      })()))
    }
    await Promise.all(jobs)
    result.outputs.sort((a, b) => a.file.localeCompare(b.file))
    result.diagnostics = this.review(deck, result.diagnostics)
  }

  /** Render the deck of `result` with its render and deck-check findings; undefined on failure. */
  private async renderInto(result: DeckResult): Promise<RenderedDeck | undefined> {
    const started = performance.now()
    let deck: RenderedDeck
    try {
      deck = await renderDeck(result.file, this.renderContext)
    } catch (e) {
      result.errors.push(e)
      return undefined
    }
    result.renderMs = performance.now() - started
    result.deck = deck
    result.diagnostics.push(...deck.diagnostics)
    for (const check of this.deckChecks) result.diagnostics.push(...check(deck))
    return deck
  }

  /**
   * `deck lint`: render, run the deck checks, load the print page and run the page checks,
   * writing nothing. The same page and checks as a build, so both report the same findings.
   */
  async inspectDeck(file: string): Promise<DeckResult> {
    const result: DeckResult = { file, outputs: [], diagnostics: [], errors: [], renderMs: 0 }
    const deck = await this.renderInto(result)
    if (!deck) return result
    await this.checkPage(deck, result)
    return result
  }

  /** Only the page checks of a rendered deck, in its print page; nothing is written. */
  private async checkPage(deck: RenderedDeck, result: DeckResult): Promise<void> {
    if (this.pageChecks.length) {
      try {
        await this.withDeckPage(deck, async (page) => {
          result.diagnostics.push(...(await this.warmPages.check(page, deck, this.pageChecks)))
        })
      } catch (e) {
        result.errors.push(e)
      }
    }
    result.diagnostics = this.review(deck, result.diagnostics)
  }

  /**
   * PDF, page checks and screenshots from the print page. The main page prints the PDF and runs
   * the checks while a page in a second Chromium (when there are enough shots to share) loads
   * and starts on the screenshot queue; both then drain the queue. If the second page fails,
   * the main page finishes its shots.
   */
  private async browserOutputs(
    deck: RenderedDeck,
    formats: Format[],
    started: number,
    emit: (format: Format, out: string, data: string | Uint8Array, since: number) => Promise<void>,
    diagnostics: Diagnostic[],
    loaded: () => void = () => {},
  ): Promise<void> {
    const { file } = deck
    const writes: Array<Promise<void>> = []
    const scales = new Set<number>()
    if (formats.includes('pptx')) scales.add(PPTX_SCALE)
    if (formats.includes('png')) scales.add(this.options.imageScale)
    const queue = shotJobs(deck.slideCount, [...scales])
    const shots = new Map<number, Map<number, Uint8Array>>([...scales].map((scale) => [scale, new Map()]))
    const done = (job: ShotJob, png: Uint8Array) => {
      shots.get(job.scale)!.set(job.slide, png)
      if (formats.includes('png') && job.scale === this.options.imageScale) {
        writes.push(emit('png', this.outputPath(file, 'png', job.slide), png, started))
      }
    }

    const helper =
      this.browser.processes > 1 && queue.length >= MIN_SHOTS_TO_SHARE
        ? this.browser
            .withPage(async (page) => {
              await loadDeck(page, deck)
              await drainShots(page, deck, queue, done)
            }, 1)
            .catch((e: unknown) => debug('second browser failed, main page takes over: %O', e))
        : Promise.resolve()

    await this.withDeckPage(deck, async (page) => {
      debug('%s: page loaded at %d ms', file, performance.now() - started)
      loaded()
      if (formats.includes('pdf')) {
        const raw = await printPdf(page, deck, this.browser.timeoutMs)
        debug('%s: printed at %d ms', file, performance.now() - started)
        writes.push(
          (async () => emit('pdf', this.outputPath(file, 'pdf'), await finishPdf(raw, deck, { notes: this.options.pdfNotes, date: this.options.date }), started))(),
        )
      }
      await drainShots(page, deck, queue, done)
      await helper
      // Shots the second page gave back when it failed.
      await drainShots(page, deck, queue, done)
      debug('%s: %d shots done at %d ms', file, shots.get(PPTX_SCALE)?.size ?? 0, performance.now() - started)
      // The PPTX is packed on this thread while Chromium runs the page checks.
      if (formats.includes('pptx')) {
        writes.push((async () => emit('pptx', this.outputPath(file, 'pptx'), await buildPptx(deck, shots.get(PPTX_SCALE)!, { date: this.options.date }), started))())
      }
      diagnostics.push(...(await this.warmPages.check(page, deck, this.pageChecks)))
      debug('%s: page checks done at %d ms', file, performance.now() - started)
    })
    const settled = await Promise.allSettled(writes)
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) throw failed.reason
  }

  /** Run `fn` on a page showing the deck: a fresh one, or with keepPages the deck's warm one. */
  private async withDeckPage<T>(deck: RenderedDeck, fn: (page: Page) => Promise<T>): Promise<T> {
    if (!this.keepPages) {
      return this.browser.withPage(async (page) => {
        await loadDeck(page, deck)
        return fn(page)
      })
    }
    try {
      return await fn(await this.warmPages.show(deck))
    } catch (e) {
      // A crashed or wedged page is dropped; the next build starts a fresh one.
      this.releasePage(deck.file)
      throw e
    }
  }

  /** Close the warm page of a deck (deleted, or after an error); safe to call for any deck. */
  releasePage(file: string): void {
    this.warmPages.release(file)
  }

  async close(): Promise<void> {
    this.warmPages.releaseAll()
    await this.browser.close()
  }
}

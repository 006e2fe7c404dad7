import type { Page } from 'puppeteer-core'
import { browserFor, type BrowserManager } from '../browser/manager.js'
import { needsBrowser, type Format } from '../config/options.js'
import createDebug from '../util/debug.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { buildHtml } from '../export/html.js'
import { drainShots, shotJobs, type ShotJob } from '../browser/screenshots.js'
import { collectGarbage, loadDeck } from '../browser/page.js'
import { pageContent } from '../browser/page-content.js'
import { ChunkedWork } from '../browser/chunks.js'
import { finishPdf, loadPdfLib, printPdf } from '../export/pdf.js'
import { PictureStore } from '../export/pptx-pictures.js'
import { collectNodeGarbage } from '../browser/memory.js'
import { finishPptx, loadPptxLibs, preparePptx, type PptxSkeleton } from '../export/pptx.js'
import { outputPath } from './outputs.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import type { RenderAhead } from '../render/ahead.js'
import type { RenderContext, RenderedDeck } from '../render/render.js'
import { renderSettingsOf } from '../render/settings.js'
import { RenderCaches } from '../render/caches.js'
import { ThemeRegistry } from '../render/themes.js'
import { WarmPages, type PageCheck } from '../browser/warm-pages.js'
import type { BuildHooks, BuildOptions, DeckCheck, DeckResult, DiagnosticReview } from './types.js'

/*
 * Orchestration: render each deck once, then derive every requested output from that render.
 * HTML needs no browser and is written as soon as it is ready; PDF, PNG and PPTX share one page
 * per deck in the one browser. A deck that fails keeps its previous outputs and does not stop
 * the others.
 */

const debug = createDebug('build')

/** `DEBUG=deck:build`: when each stage of a deck ended, and this process's memory then. */
function stage(file: string, what: string, started: number): void {
  if (!debug.enabled) return
  const { heapUsed, rss, arrayBuffers } = process.memoryUsage()
  const mb = (n: number) => Math.round(n / 2 ** 20)
  debug(
    '%s: %s at %d ms (node: heap %d MB, buffers %d MB, rss %d MB)',
    file,
    what,
    Math.round(performance.now() - started),
    mb(heapUsed),
    mb(arrayBuffers),
    mb(rss),
  )
}

export const PPTX_SCALE = 2
/**
 * From this many screenshots a second window loads the deck and shoots alongside the print page
 * (in the headless shell, see BrowserManager.isHeadlessShell): its load costs about as much as
 * three or four shots.
 */
const MIN_SHOTS_TO_SHARE = 6
/**
 * Most slides a page holds at a time while checking and shooting (see ChunkedWork): smaller
 * chunks lower the build's peak memory and cost time (docs/PERFORMANCE.md).
 */
const SHOT_CHUNK = 12
/**
 * From this many slides, pages work in chunks: a big deck then builds sooner and in less memory.
 * A small deck is slower in chunks, since both windows then load axe-core for few slides.
 */
const CHUNKED_FROM = 48
/** Shots between two collections of Node's own garbage (see collectNodeGarbage). */
const NODE_GC_EVERY = 24

export type { PageCheck, SlideMeasure } from '../browser/warm-pages.js'

export class Builder {
  readonly themes: ThemeRegistry
  /** The render's caches (engines, highlighted code, embedded files); emptied on close. */
  readonly caches = new RenderCaches()
  readonly browser: BrowserManager
  /** Checks run in each deck's print page when the build opens one. */
  readonly pageChecks: PageCheck[] = []
  readonly deckChecks: DeckCheck[] = []
  review: DiagnosticReview = (_deck, list) => list
  /**
   * Keep each deck's print page open between builds and update it in place (watch mode): the
   * next PDF then needs no fresh page load (fonts included), and the page checks measure only the
   * slides a save changed.
   */
  keepPages = false
  /** Decks a one-shot command is already rendering in a worker (see RenderAhead). */
  renderAhead: RenderAhead | undefined
  private readonly warmPages = new WarmPages(() => this.browser.newPage())

  constructor(
    readonly options: BuildOptions,
    browser?: BrowserManager,
  ) {
    this.themes = new ThemeRegistry(options.root)
    this.browser = browser ?? browserFor(options)
  }

  /** Load the theme set: the project's css/ folder, then every --theme-set path. */
  async init(): Promise<void> {
    await this.themes.addProject(this.options.themeSets)
  }

  get renderContext(): RenderContext {
    return { themes: this.themes, caches: this.caches, ...renderSettingsOf(this.options) }
  }

  /** Where an output of a deck goes (see outputs.ts). */
  outputPath(deckFile: string, format: Format, slide?: number): string {
    return outputPath(this.options, deckFile, format, slide)
  }

  async buildDeck(file: string, formats: Format[] = this.options.formats, hooks: BuildHooks = {}): Promise<DeckResult> {
    const result: DeckResult = { file, outputs: [], diagnostics: [], errors: [], renderMs: 0 }
    const started = performance.now()
    if (this.renderAhead) this.prepareExports(formats)
    const deck = await this.renderInto(result)
    if (!deck) return result
    stage(file, 'rendered', started)
    this.themes.recordUse(file, deck.theme.files)
    await this.writeOutputs(deck, formats, hooks, started, result)
    return result
  }

  /**
   * While a worker renders the deck, this thread is free to load what the exports need: the
   * libraries of PDF and PPTX, and axe-core into the page opened ahead. This pays because the
   * render is off this thread: a render here would hold it, and puppeteer with it.
   */
  private prepareExports(formats: Format[]): void {
    if (needsBrowser(formats) && this.pageChecks.some((c) => c.prepare)) {
      this.browser.warmUp((page) => Promise.all(this.pageChecks.map((c) => c.prepare?.(page))))
    }
    if (formats.includes('pdf')) loadPdfLib().catch(() => undefined)
    if (formats.includes('pptx')) loadPptxLibs().catch(() => undefined)
  }

  /**
   * Write outputs of a deck that is already rendered. Watch mode refreshes PDF/PPTX/PNG through
   * this in a lane of its own, so a slow PDF never holds back the HTML of the next save.
   */
  async exportDeck(deck: RenderedDeck, formats: Format[], hooks: BuildHooks = {}): Promise<DeckResult> {
    const result: DeckResult = { file: deck.file, outputs: [], diagnostics: [], errors: [], deck, renderMs: 0 }
    if (needsBrowser(formats)) await this.writeOutputs(deck, formats, hooks, performance.now(), result)
    else await this.checkPage(deck, result)
    return result
  }

  private async writeOutputs(deck: RenderedDeck, formats: Format[], hooks: BuildHooks, started: number, result: DeckResult): Promise<void> {
    const { file } = deck
    const emit = async (format: Format, out: string, data: string | Uint8Array, since: number) => {
      await writeFileAtomic(out, data)
      const record = {
        format,
        file: out,
        bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength,
        ms: performance.now() - since,
      }
      result.outputs.push(record)
      hooks.onOutput?.(file, record)
      stage(file, `${format} written`, started)
    }
    const guard = (p: Promise<void>) => p.catch((e: unknown) => void result.errors.push(e))

    // The HTML is built once the print page has loaded: this thread's work (the viewer shell on
    // first use, the page text) then runs while Chromium prints, instead of holding back the
    // commands that load the page.
    const jobs: Array<Promise<void>> = []
    let pageLoaded: Promise<void> = Promise.resolve()
    if (needsBrowser(formats)) {
      let loaded = (): void => {}
      pageLoaded = new Promise<void>((resolve) => (loaded = resolve))
      jobs.push(guard(this.browserOutputs(deck, formats, started, emit, result.diagnostics, loaded).finally(loaded)))
    }
    if (formats.includes('html')) {
      jobs.push(
        guard(
          (async () => {
            await pageLoaded
            await emit('html', this.outputPath(file, 'html'), await buildHtml(deck), started)
          })(),
        ),
      )
    }
    await Promise.all(jobs)
    result.outputs.sort((a, b) => a.file.localeCompare(b.file))
    result.diagnostics = this.review(deck, result.diagnostics)
  }

  /**
   * Render on this thread. The render module (marp-core, shiki) loads on first use, so a build
   * whose decks render in a worker never loads it here.
   */
  async render(file: string): Promise<RenderedDeck> {
    const { renderDeck } = await import('../render/render.js')
    return renderDeck(file, this.renderContext)
  }

  /** Render the deck of `result` with its render and deck-check findings; undefined on failure. */
  private async renderInto(result: DeckResult): Promise<RenderedDeck | undefined> {
    const started = performance.now()
    // Findings about the theme set (a CSS file without @theme) go with the first deck built.
    result.diagnostics.push(...this.themes.takeProblems())
    let deck: RenderedDeck
    try {
      const here = () => this.render(result.file)
      deck = await (this.renderAhead ? this.renderAhead.take(result.file, here) : here())
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
   * PDF, page checks and screenshots. The print page prints the PDF and runs the checks while a
   * second window (when there are enough shots to share) loads the deck and starts on the
   * screenshot queue; the print page then joins it. If the second page fails, the print page
   * finishes the shots. A big deck instead has both windows check and shoot
   * a chunk of slides at a time once the PDF is printed (see ChunkedWork).
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
    // One-shot builds of big decks check and shoot a chunk of slides at a time (see
    // ChunkedWork); watch mode keeps its whole print page for the next save.
    const big = !this.keepPages && queue.length > 0 && deck.slideCount >= CHUNKED_FROM
    const pictures = formats.includes('pptx') ? await PictureStore.create() : undefined
    try {
      let shot = 0
      const done = (job: ShotJob, png: Uint8Array) => {
        shot += 1
        if (big && shot % NODE_GC_EVERY === 0) collectNodeGarbage()
        if (pictures && job.scale === PPTX_SCALE) pictures.put(job.slide, png)
        if (formats.includes('png') && job.scale === this.options.imageScale) {
          writes.push(emit('png', this.outputPath(file, 'png', job.slide), png, started))
        }
      }
      let skeleton: Promise<PptxSkeleton> | undefined
      const content = big ? pageContent(deck) : undefined
      const work = content && new ChunkedWork(deck, content, queue, this.pageChecks, done, SHOT_CHUNK)

      // The second window starts loading once the print page has: two loads at once would only
      // share the CPU, while the print page's PDF and checks leave room for one.
      let printPageLoaded = (): void => {}
      const printPageReady = new Promise<void>((resolve) => (printPageLoaded = resolve))
      const helper = (async () => {
        if (queue.length < MIN_SHOTS_TO_SHARE || !(await this.browser.isHeadlessShell())) return
        await this.browser.withPage(async (page) => {
          await printPageReady
          if (queue.length === 0) return
          if (work) return work.run(page, 'back')
          await loadDeck(page, deck)
          await drainShots(page, deck, queue, done)
        })
      })().catch((e: unknown) => debug('second window failed, the print page takes over: %O', e))

      let ok = false
      try {
        await this.withDeckPage(deck, async (page) => {
          stage(file, 'page loaded', started)
          loaded()
          // In chunks, the second window waits for the PDF: the print page holds the whole deck
          // until then, and both at once would make the build's peak of memory.
          if (!work) printPageLoaded()
          // The package is made on this thread while Chromium works; only the pictures go in after.
          if (formats.includes('pptx')) {
            skeleton = preparePptx(deck, { date: this.options.date })
            skeleton.catch(() => undefined) // awaited below; this keeps an early failure from going unhandled
          }
          if (formats.includes('pdf')) {
            const raw = await printPdf(page, deck)
            stage(file, 'printed', started)
            writes.push(
              (async () => {
                await emit(
                  'pdf',
                  this.outputPath(file, 'pdf'),
                  await finishPdf(raw, deck, {
                    notes: this.options.pdfNotes,
                    date: this.options.date,
                    ...(this.options.pdfOutlines ? { outlines: this.options.pdfOutlines } : {}),
                  }),
                  started,
                )
                // pdf-lib's parse of the whole document is garbage now: collected before the
                // shots take the build to its peak of memory. Not in watch mode, where a pause
                // would hold up saves.
                if (!this.keepPages) collectNodeGarbage()
              })(),
            )
          }
          if (work) {
            printPageLoaded()
            work.showsWholeDeck(page)
            await work.run(page, 'front')
            await helper
            // Jobs the second window gave back when it failed.
            await work.run(page, 'front')
            diagnostics.push(...work.findings())
          } else {
            diagnostics.push(...(await this.warmPages.check(page, deck, this.pageChecks)))
            // axe-core's grid of every element is garbage once the checks ran; collected now, the
            // page shoots with less held, at no cost in time.
            if (this.pageChecks.length && queue.length) await collectGarbage(page)
            stage(file, 'page checks done', started)
            await drainShots(page, deck, queue, done)
            await helper
            // Shots the second page gave back when it failed.
            await drainShots(page, deck, queue, done)
          }
          stage(file, `${shot} shots done`, started)
        })
        ok = true
      } finally {
        // After a failure the second window has nothing left to do: it must not outlive the build.
        if (!ok) queue.splice(0)
        printPageLoaded()
        await helper
      }
      if (skeleton) {
        const packed = skeleton
        writes.push(
          (async () =>
            emit('pptx', this.outputPath(file, 'pptx'), await finishPptx(await packed, (slide) => pictures!.get(slide)), started))(),
        )
      }
      const settled = await Promise.allSettled(writes)
      const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
      if (failed) throw failed.reason
    } finally {
      await pictures?.dispose()
    }
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
    this.caches.clear()
    this.warmPages.releaseAll()
    await this.browser.close()
  }
}

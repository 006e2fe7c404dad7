import type { Page } from 'puppeteer-core'
import { browserFor, type BrowserManager } from '../browser/manager.js'
import { loadDeck } from '../browser/page.js'
import { firstSlideThumbnail } from '../browser/screenshots.js'
import { WarmPages, type PageCheck } from '../browser/warm-pages.js'
import { needsBrowser, type Format } from '../config/options.js'
import { buildHtml } from '../export/html.js'
import { notesMarkdown } from '../export/notes.js'
import { loadPdfLib } from '../export/pdf.js'
import { loadPptxLibs } from '../export/pptx.js'
import type { RenderAhead } from '../render/ahead.js'
import { RenderCaches } from '../render/caches.js'
import type { RenderContext, RenderedDeck } from '../render/render.js'
import { renderSettingsOf } from '../render/settings.js'
import { ThemeRegistry } from '../render/themes.js'
import { writeFileAtomic } from '../util/atomic-write.js'
import { writeBrowserOutputs, type BrowserOutputs } from './browser-outputs.js'
import { outputPath } from './outputs.js'
import { stage } from './stage.js'
import type { BuildHooks, BuildOptions, DeckCheck, DeckResult, DiagnosticReview } from './types.js'

export type { PageCheck, SlideMeasure } from '../browser/warm-pages.js'

/** Where a deck's thumbnail goes: beside its HTML, `<deck>.thumb.png`. */
export const thumbnailPath = (htmlOutput: string): string => htmlOutput.replace(/\.html$/, '') + '.thumb.png'

/*
 * Orchestration: render each deck once, then derive every requested output from that render.
 * HTML needs no browser and is written as soon as it is ready; PDF, PNG and PPTX share one page
 * per deck in the one browser. A deck that fails keeps its previous outputs and does not stop
 * the others.
 */

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
  /**
   * Write each deck's thumbnail (`<deck>.thumb.png`, slide 1 at a small scale) for the index page,
   * from the print page; an HTML-only build then opens one too.
   */
  thumbnails = false
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
    hooks.onStage?.(file, 'render')
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
    if (formats.includes('pdf') || formats.includes('handout')) loadPdfLib().catch(() => undefined)
    if (formats.includes('pptx')) loadPptxLibs().catch(() => undefined)
  }

  /**
   * Write outputs of a deck that is already rendered. Watch mode refreshes PDF/PPTX/PNG through
   * this in a lane of its own, so a slow PDF never holds back the HTML of the next save.
   */
  async exportDeck(deck: RenderedDeck, formats: Format[], hooks: BuildHooks = {}): Promise<DeckResult> {
    const result: DeckResult = { file: deck.file, outputs: [], diagnostics: [], errors: [], deck, renderMs: 0 }
    if (needsBrowser(formats)) await this.writeOutputs(deck, formats, hooks, performance.now(), result)
    else {
      // The notes export is written from the render; the page checks still run in the print page.
      if (formats.includes('notes')) await this.writeOutputs(deck, ['notes'], hooks, performance.now(), result)
      await this.checkPage(deck, result)
    }
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
    // With thumbnails (--index), an HTML-only build opens the print page too, to shoot slide 1.
    const thumbnail = this.thumbnails && !this.options.outFile ? thumbnailPath(this.outputPath(file, 'html')) : undefined
    if (needsBrowser(formats) || thumbnail) {
      let loaded = (): void => {}
      pageLoaded = new Promise<void>((resolve) => (loaded = resolve))
      const ctx: BrowserOutputs = {
        ...this.asBrowserOutputs(hooks),
        ...(thumbnail && {
          thumbnail: async (png: Uint8Array) => {
            await writeFileAtomic(thumbnail, png)
            result.thumbnail = thumbnail
          },
        }),
      }
      jobs.push(guard(writeBrowserOutputs(ctx, deck, formats, started, emit, result.diagnostics, loaded).finally(loaded)))
    }
    // The notes need no browser and no wait: written from the render as it is.
    if (formats.includes('notes')) jobs.push(guard(emit('notes', this.outputPath(file, 'notes'), notesMarkdown(deck), started)))
    if (formats.includes('html')) {
      jobs.push(
        guard(
          (async () => {
            await pageLoaded
            if (!needsBrowser(formats)) hooks.onStage?.(file, 'html')
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
  async inspectDeck(file: string, hooks: BuildHooks = {}): Promise<DeckResult> {
    const result: DeckResult = { file, outputs: [], diagnostics: [], errors: [], renderMs: 0 }
    hooks.onStage?.(file, 'render')
    const deck = await this.renderInto(result)
    if (!deck) return result
    hooks.onStage?.(file, 'check')
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

  /** This builder as the browser outputs use it. */
  private asBrowserOutputs(hooks: BuildHooks = {}): BrowserOutputs {
    return {
      ...(hooks.onStage ? { onStage: hooks.onStage } : {}),
      browser: this.browser,
      options: this.options,
      keepPages: this.keepPages,
      pageChecks: this.pageChecks,
      checkPage: (page, deck) => this.warmPages.check(page, deck, this.pageChecks),
      withDeckPage: (deck, fn) => this.withDeckPage(deck, fn),
      outputPath: (deckFile, format, slide) => this.outputPath(deckFile, format, slide),
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

  /**
   * A PNG of the first slide, `width` pixels wide, from the deck's warm print page (watch mode's
   * dashboard), or undefined when no warm page shows the deck. Call it from the build lane that
   * owns the page, after the outputs: the page then shows `deck` and nothing else uses it.
   */
  async thumbnail(deck: RenderedDeck, width: number): Promise<Uint8Array | undefined> {
    const page = this.keepPages ? this.warmPages.printPage(deck.file) : undefined
    return page && firstSlideThumbnail(page, deck, width)
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

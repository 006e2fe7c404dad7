import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { watch, type FSWatcher } from 'chokidar'
import type { Format } from '../config/options.js'
import type { Builder } from '../pipeline/builder.js'
import type { DeckResult } from '../pipeline/types.js'
import { findDecks } from '../pipeline/decks.js'
import { buildHtml } from '../export/html.js'
import createDebug from '../util/debug.js'
import { renderDeck, type RenderedDeck } from '../render/render.js'
import { OUTPUT_CHECK_MS, WrittenOutputs } from './outputs.js'
import { ignoredBy, isDeckFile, isInside, removeDeckOutputs } from './paths.js'
import { Debouncer, LatestQueue } from './queue.js'
import { Recheck } from './recheck.js'
import { Thumbnails, type Thumbnail } from './thumbnails.js'

const debug = createDebug('watch')

/**
 * Extra renders (and HTML pages, not written) of a deck after its first build, while nothing
 * else is queued. V8 compiles and optimises the render path over its first runs; without these,
 * the presenter's first saves would pay for that. The count covers the runs it takes on a big
 * deck (docs/PERFORMANCE.md).
 */
const WARM_RENDERS = 8

/*
 * Watch mode: chokidar reports a change, we classify it (deck, theme, image), wait for the burst
 * to end, and rebuild the minimum: the deck itself, exactly the decks that use a theme file, the
 * decks that show an image. HTML goes first on its own lane; PDF/PPTX/PNG follow on a second lane
 * from the same render, so a slow PDF never holds back the next HTML. Every failure is reported
 * through `onError` or in a build result and watching goes on. chokidar's events are not taken
 * for the whole story: each file acted on is looked at again once quiet (see Recheck), and
 * outputs that vanish are built again (see WrittenOutputs).
 */

export interface DeckBuild {
  deck: string
  result: DeckResult
  /** From the start of the build to its last output. */
  ms: number
}

export interface WatchEvents {
  /** A deck is about to be rendered (one call per build, for counting and logs). */
  onBuildStart?(deck: string): void
  /** A deck was rendered and its HTML written, or the render or HTML failed (`result.errors`). */
  onHtml?(build: DeckBuild): void
  /** The browser outputs (PDF, PPTX, PNG) of a render were written, or failed. */
  onBrowserOutputs?(build: DeckBuild): void
  /** A new picture of a deck's first slide, taken after its browser outputs (see Thumbnails). */
  onThumbnail?(deck: string, thumbnail: Thumbnail): void
  /** A deck was deleted; its outputs were removed. */
  onRemoved?(deck: string, files: string[]): void
  /** A failure outside a deck's build: the file watcher, a theme that cannot be loaded. */
  onError?(error: unknown, file?: string): void
}

export interface WatcherOptions {
  builder: Builder
  /** Decks or folders to watch (default: slides/), relative to the project root. */
  inputs: string[]
  formats: Format[]
  events?: WatchEvents
  /** Quiet period that ends a burst of events (default 10 ms: editors save within a few ms). */
  debounceMs?: number
  /** How long a vanished deck may take to come back (atomic saves) before it counts as deleted. */
  deleteGraceMs?: number
}

export class Watcher {
  private readonly builder: Builder
  private readonly events: WatchEvents
  private readonly htmlFormats: Format[]
  private readonly browserFormats: Format[]
  private readonly deleteGraceMs: number
  private readonly decks = new Set<string>()
  private readonly images = new Map<string, string[]>()
  /** Decks whose theme did not resolve: a new theme file may be the one they want. */
  private readonly missingTheme = new Set<string>()
  private readonly deckRoots: string[] = []
  private readonly themeRoots: string[] = []
  private readonly followed = new Set<string>()
  private readonly deckChanges: Debouncer<string>
  private readonly themeChanges: Debouncer<string>
  private readonly html: LatestQueue<string, true>
  private readonly browser: LatestQueue<string, RenderedDeck>
  private readonly recheck: Recheck
  private readonly outputs = new WrittenOutputs()
  private readonly thumbnails: Thumbnails
  private outputCheck: NodeJS.Timeout | undefined
  private checkingOutputs = false
  private themeTasks = 0
  private chokidar: FSWatcher | undefined
  private closing: Promise<void> | undefined

  constructor(private readonly options: WatcherOptions) {
    this.builder = options.builder
    this.events = options.events ?? {}
    this.htmlFormats = options.formats.filter((f) => f === 'html')
    this.browserFormats = options.formats.filter((f) => f !== 'html')
    this.deleteGraceMs = options.deleteGraceMs ?? 100
    const quiet = options.debounceMs ?? 10
    this.deckChanges = new Debouncer(quiet, (deck) => this.html.push(deck, true))
    this.themeChanges = new Debouncer(quiet, (file) => void this.themeChanged(file))
    this.html = new LatestQueue((deck) => this.buildHtml(deck), 2)
    this.browser = new LatestQueue((deck, rendered) => this.buildBrowserOutputs(deck, rendered), 2)
    this.thumbnails = new Thumbnails(this.builder)
    this.recheck = new Recheck((file) => {
      debug('%s changed without an event', file)
      this.changed('change', file)
    })
  }

  get closed(): boolean {
    return this.closing !== undefined
  }

  /** Decks currently known (built at least once and not deleted). */
  get deckFiles(): string[] {
    return [...this.decks].sort()
  }

  /** Find the decks, start watching, and queue the first build of every deck. */
  async start(): Promise<void> {
    const { root } = this.builder.options
    const inputs = this.options.inputs.length ? this.options.inputs : ['slides']
    const initial = await findDecks(inputs, root)
    for (const input of inputs) {
      const abs = path.resolve(root, input)
      this.deckRoots.push(abs)
    }
    const cssDir = path.join(root, 'css')
    if (existsSync(cssDir)) this.themeRoots.push(cssDir)
    for (const set of this.builder.options.themeSets) this.themeRoots.push(path.resolve(root, set))

    const chokidar = watch([...this.deckRoots, ...this.themeRoots], {
      ignoreInitial: true,
      ignored: ignoredBy(this.builder.options.outDir),
      // Replace-by-rename saves arrive as unlink + add; chokidar folds them into one change.
      atomic: true,
      ignorePermissionErrors: true,
    })
    this.chokidar = chokidar
    chokidar.on('all', (event, file) => this.changed(event, path.resolve(file)))
    chokidar.on('error', (e) => this.events.onError?.(e))
    await new Promise<void>((resolve) => chokidar.once('ready', () => resolve()))
    for (const entry of this.builder.themes.entries()) this.follow([entry.file])
    for (const deck of initial) this.html.push(deck, true)
    this.outputCheck = setInterval(() => void this.checkOutputs(), OUTPUT_CHECK_MS)
    this.outputCheck.unref()
  }

  /** Resolves when nothing is waiting, building or writing (tests and benchmarks use this). */
  async idle(): Promise<void> {
    for (;;) {
      await this.html.idle()
      await this.browser.idle()
      if (
        !this.deckChanges.pending &&
        !this.themeChanges.pending &&
        !this.html.size &&
        !this.browser.size &&
        !this.themeTasks &&
        !this.recheck.pending
      )
        return
      await sleep(10)
    }
  }

  private isDeck(file: string): boolean {
    if (this.decks.has(file)) return true
    return isDeckFile(file) && this.deckRoots.some((r) => file === r || isInside(file, r))
  }

  private isTheme(file: string): boolean {
    if (this.builder.themes.fileEntry(file)) return true
    return file.endsWith('.css') && this.themeRoots.some((r) => file === r || isInside(file, r))
  }

  private decksShowing(file: string): string[] {
    return [...this.images].filter(([, imgs]) => imgs.includes(file)).map(([deck]) => deck)
  }

  private changed(event: string, file: string): void {
    if (this.closed || event === 'addDir' || event === 'unlinkDir') return
    try {
      if (this.isDeck(file)) {
        debug('%s deck %s', event, file)
        this.deckChanges.touch(file)
      } else if (this.isTheme(file)) {
        debug('%s theme %s', event, file)
        this.themeChanges.touch(file)
      } else {
        const decks = this.decksShowing(file)
        debug('%s %s: %d decks show it', event, file, decks.length)
        for (const deck of decks) this.deckChanges.touch(deck)
        // The builds read the image after this; a write that chokidar drops comes later still.
        if (decks.length) {
          void this.recheck.note(file).then(() => {
            if (!this.closed) this.recheck.later(file)
          })
        }
      }
    } catch (e) {
      this.events.onError?.(e, file)
    }
  }

  /** Add files outside the watched folders (a theme given by path, an image in ../assets). */
  private follow(files: string[]): void {
    const fresh = files.filter((f) => !this.followed.has(f) && ![...this.deckRoots, ...this.themeRoots].some((r) => isInside(f, r)))
    for (const f of fresh) this.followed.add(f)
    if (fresh.length && this.chokidar) this.chokidar.add(fresh)
  }

  private async exists(file: string): Promise<boolean> {
    return stat(file).then(
      (s) => s.isFile(),
      () => false,
    )
  }

  private async buildHtml(deck: string): Promise<void> {
    if (this.closed) return
    if (!(await this.exists(deck))) {
      // An atomic save can leave the name empty for a moment; only a lasting absence is a delete.
      await sleep(this.deleteGraceMs)
      if (!(await this.exists(deck))) return this.removed(deck)
    }
    this.events.onBuildStart?.(deck)
    const started = performance.now()
    await this.recheck.note(deck)
    const result = await this.builder.buildDeck(deck, this.htmlFormats)
    if (this.closed) return
    if (result.errors.length && !(await this.exists(deck))) return this.removed(deck)
    this.recheck.later(deck)
    if (!result.errors.length)
      this.outputs.record(
        deck,
        'html',
        result.outputs.map((o) => o.file),
      )
    const first = !this.decks.has(deck)
    this.decks.add(deck)
    if (first && result.deck && !result.errors.length) void this.html.idle().then(() => this.warmRender(deck))
    if (result.deck) {
      this.images.set(deck, result.deck.images)
      if (result.deck.diagnostics.some((d) => d.rule === 'theme')) this.missingTheme.add(deck)
      else this.missingTheme.delete(deck)
      this.follow([...result.deck.images, ...result.deck.theme.files])
    }
    this.events.onHtml?.({ deck, result, ms: performance.now() - started })
    // The browser lane also runs with HTML alone when lint is installed: its page checks give
    // the preview its overflow badges.
    const browserWork = this.browserFormats.length > 0 || this.builder.pageChecks.length > 0
    if (result.deck && !result.errors.length && browserWork) this.browser.push(deck, result.deck)
  }

  /** Render `deck` a few times in idle time (see WARM_RENDERS); stops at the first change. */
  private async warmRender(deck: string): Promise<void> {
    for (let i = 0; i < WARM_RENDERS; i += 1) {
      await sleep(0)
      if (this.closed || this.deckChanges.pending || this.themeChanges.pending || this.html.size > 0) return
      const ok = await renderDeck(deck, this.builder.renderContext).then(
        async (rendered) => {
          if (this.htmlFormats.includes('html')) await buildHtml(rendered)
          return true
        },
        () => false,
      )
      if (!ok) return
    }
    debug('warmed the render of %s', deck)
  }

  private async buildBrowserOutputs(deck: string, rendered: RenderedDeck): Promise<void> {
    if (this.closed || !(await this.exists(deck))) return
    const started = performance.now()
    const result = await this.builder.exportDeck(rendered, this.browserFormats)
    if (this.closed) return
    if (!result.errors.length)
      this.outputs.record(
        deck,
        'browser',
        result.outputs.map((o) => o.file),
      )
    this.events.onBrowserOutputs?.({ deck, result, ms: performance.now() - started })
    // In this lane, which owns the deck's warm page, after the outputs: a save never waits for it.
    if (this.events.onThumbnail && !result.errors.length) {
      const thumbnail = await this.thumbnails.take(rendered)
      if (thumbnail && !this.closed) this.events.onThumbnail(deck, thumbnail)
    }
  }

  /** Build again the decks whose outputs vanished (see WrittenOutputs). */
  private async checkOutputs(): Promise<void> {
    if (this.closed || this.checkingOutputs) return
    this.checkingOutputs = true
    try {
      const busy = (deck: string) => this.deckChanges.has(deck) || this.html.has(deck) || this.browser.has(deck)
      for (const deck of await this.outputs.vanished(busy)) {
        if (this.closed) return
        debug('outputs of %s vanished: building them again', deck)
        this.html.push(deck, true)
      }
    } finally {
      this.checkingOutputs = false
    }
  }

  private async removed(deck: string): Promise<void> {
    const known = this.decks.delete(deck)
    this.outputs.forget(deck)
    this.recheck.forget(deck)
    this.thumbnails.forget(deck)
    this.images.delete(deck)
    this.missingTheme.delete(deck)
    this.builder.themes.recordUse(deck, [])
    this.builder.releasePage(deck)
    // A PDF still being written for the deleted deck must not reappear after the removal.
    this.browser.drop(deck)
    await this.browser.settled(deck)
    const files = await removeDeckOutputs(this.builder, deck)
    // The deletion can be seen twice (chokidar's late unlink, and the recheck): it is told once.
    if (known || files.length) this.events.onRemoved?.(deck, files)
  }

  private async themeChanged(file: string): Promise<void> {
    if (this.closed) return
    this.themeTasks += 1
    try {
      const themes = this.builder.themes
      const users = new Set(themes.decksUsing(file))
      await this.recheck.note(file)
      if (await this.exists(file)) {
        try {
          await themes.addFile(file)
        } catch (e) {
          // The last good version of the theme stays registered; its decks show the error.
          this.events.onError?.(e, file)
          for (const deck of users) {
            this.events.onHtml?.({ deck, result: { file: deck, outputs: [], diagnostics: [], errors: [e], renderMs: 0 }, ms: 0 })
          }
          return
        }
        for (const deck of this.missingTheme) users.add(deck)
      } else {
        themes.remove(file)
      }
      for (const deck of users) this.html.push(deck, true)
    } catch (e) {
      this.events.onError?.(e, file)
    } finally {
      this.themeTasks -= 1
      if (!this.closed) this.recheck.later(file)
    }
  }

  /** Stop watching; running HTML builds finish, pending ones are dropped. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.outputCheck)
      this.recheck.clear()
      this.deckChanges.clear()
      this.themeChanges.clear()
      await this.chokidar?.close()
      await this.html.idle()
    })()
    return this.closing
  }
}

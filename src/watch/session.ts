import type { Format } from '../config/options.js'
import { Builder } from '../pipeline/builder.js'
import { type BuildOptions, type DeckResult } from '../pipeline/types.js'
import type { RenderedDeck } from '../render/render.js'
import { formatDiagnostic, formatLocation, relativePath, sortDiagnostics, type Diagnostic } from '../util/diagnostics.js'
import { isDeckError } from '../util/errors.js'
import type { EventHandler } from '../pipeline/events.js'
import type { LintConfig } from '../lint/config.js'
import type { OverlayItem, PageState } from '../preview/client.js'
import { PreviewServer, type IndexEntry } from '../preview/server.js'
import { installLint, overflowingSlides } from '../lint/index.js'
import { changedSlides, pageContent } from '../browser/page-content.js'
import type { Thumbnail } from './thumbnails.js'
import { Watcher, type WatchEvents } from './watcher.js'

/*
 * `deck watch` without the command line: one builder (one warm browser), the watcher and the
 * preview server, wired so that every rebuild prints one line and updates the open pages.
 * Tests and the benchmark start it directly.
 */

export interface WatchSessionOptions {
  build: BuildOptions
  inputs: string[]
  /** Rebuilds, findings, errors, deletions; nothing is printed here. */
  onEvent: EventHandler
  /** Lint settings (default: read from the project). */
  lint?: LintConfig
  host?: string
  /** 0 picks a free port (tests). */
  port?: number
  nextFreePort?: boolean
  debounceMs?: number
  /** Extra listeners (tests and the benchmark count builds). */
  events?: WatchEvents
}

export interface WatchSession {
  url: string
  builder: Builder
  watcher: Watcher
  server: PreviewServer
  close(): Promise<void>
}

function errorItem(e: unknown, deck: string, cwd: string): OverlayItem {
  if (isDeckError(e)) {
    const where = e.location
      ? formatLocation({ file: e.location.file, ...(e.location.line ? { line: e.location.line } : {}) }, cwd)
      : relativePath(deck, cwd)
    return { where, message: e.message, ...(e.hint ? { hint: e.hint } : {}) }
  }
  return { where: relativePath(deck, cwd), message: e instanceof Error ? e.message : String(e) }
}

const warningItem = (d: Diagnostic, cwd: string): OverlayItem => ({
  where: `${formatLocation(d, cwd)}${d.slide ? ` (slide ${d.slide})` : ''}`,
  message: d.message,
  ...(d.hint ? { hint: d.hint } : {}),
})

/** What a deck page shows over its slides: errors, warnings (lint findings too), overflow badges. */
export function pageState(result: Pick<DeckResult, 'file' | 'errors' | 'diagnostics'>, cwd: string): PageState {
  const diagnostics = sortDiagnostics(result.diagnostics)
  return {
    errors: [
      ...result.errors.map((e) => errorItem(e, result.file, cwd)),
      ...diagnostics.filter((d) => d.severity === 'error').map((d) => warningItem(d, cwd)),
    ],
    warnings: diagnostics.filter((d) => d.severity === 'warning').map((d) => warningItem(d, cwd)),
    overflow: overflowingSlides(result),
  }
}

/** What the session keeps of each deck between saves. */
interface DeckState {
  /** The last build failed: the page shows its errors until a build succeeds. */
  failed: boolean
  /** The findings last printed, so unchanged warnings are not repeated on every save. */
  printed: string
  /** The last render's findings and the last page (lint) findings; the page shows both. */
  renderFindings: Diagnostic[]
  pageFindings: Diagnostic[]
  /** The page findings last printed, so the terminal shows each one once. */
  pagePrinted: Set<string>
  /** The last good render, to tell which slides a save changed. */
  shown?: RenderedDeck
  /** The dashboard's facts: when the last build ended (wall clock: live UI) and how long it took. */
  builtAt?: number
  ms?: number
  /** What the failed build's page shows. */
  errors: OverlayItem[]
  thumbnail?: Thumbnail
}

/** A deck as the dashboard shows it (see IndexEntry). */
function indexEntry(name: string, outputs: string[], state: DeckState | undefined, cwd: string): IndexEntry {
  if (!state) return { name, outputs, failed: false }
  const deck = state.shown
  const findings = sortDiagnostics([...state.renderFindings, ...state.pageFindings]).map((d) => ({
    where: formatLocation(d, cwd),
    message: d.message,
    severity: d.severity,
    ...(d.slide ? { slide: d.slide } : {}),
  }))
  return {
    name,
    outputs,
    failed: state.failed,
    errors: state.errors,
    findings,
    ...(deck ? { title: deck.title, slides: deck.slideCount } : {}),
    ...(state.builtAt !== undefined ? { builtAt: state.builtAt, ms: state.ms } : {}),
    ...(state.thumbnail ? { thumbnail: state.thumbnail } : {}),
  }
}

export async function startWatch(options: WatchSessionOptions): Promise<WatchSession> {
  const { onEvent: emit, build } = options
  const cwd = build.root
  const builder = new Builder(build)
  // Each deck's print page stays open between saves and is updated in place.
  builder.keepPages = true
  const decks = new Map<string, DeckState>()
  const stateFor = (deck: string): DeckState => {
    let state = decks.get(deck)
    if (!state) {
      state = { failed: false, printed: '', renderFindings: [], pageFindings: [], pagePrinted: new Set(), errors: [] }
      decks.set(deck, state)
    }
    return state
  }
  /**
   * A new render makes the page findings of the slides it changed stale until the browser lane
   * measures them again (a few hundred ms later): the page should not show a fixed slide's
   * overflow in the meantime. Findings of untouched slides stay.
   */
  const dropStaleFindings = (state: DeckState, result: DeckResult): void => {
    if (!result.deck) return
    const changed = changedSlides(state.shown && pageContent(state.shown), pageContent(result.deck))
    state.shown = result.deck
    state.pageFindings = changed === 'all' ? [] : state.pageFindings.filter((d) => d.slide === undefined || !changed.includes(d.slide))
  }
  const stateOf = (deck: string, errors: unknown[] = []): PageState => {
    const state = stateFor(deck)
    return pageState({ file: deck, errors, diagnostics: [...state.renderFindings, ...state.pageFindings] }, cwd)
  }
  const extra = options.events ?? {}
  /** The outputs the dashboard links when they exist: those of `deck build` too, and every format asked but PNG (one a slide). */
  const shownFormats = [...new Set<Format>(['html', 'pdf', 'pptx', ...build.formats.filter((f) => f !== 'png')])]

  const report = (deck: string, result: DeckResult): void => {
    const state = stateFor(deck)
    const text = sortDiagnostics(result.diagnostics)
      .map((d) => formatDiagnostic(d, cwd))
      .join('\n')
    if (text !== state.printed) emit({ type: 'findings', deck, findings: sortDiagnostics(result.diagnostics) })
    state.printed = text
    for (const error of result.errors) emit({ type: 'error', deck, error })
  }

  let server: PreviewServer | undefined
  const watcher: Watcher = new Watcher({
    builder,
    inputs: options.inputs,
    formats: build.formats,
    ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
    events: {
      onBuildStart: (deck) => extra.onBuildStart?.(deck),
      onHtml: (b) => {
        const { deck, result } = b
        report(deck, result)
        const html = builder.outputPath(deck, 'html')
        const state = stateFor(deck)
        state.renderFindings = result.diagnostics
        state.failed = result.errors.length > 0
        state.builtAt = Date.now()
        state.ms = b.ms
        if (state.failed) {
          const shown = stateOf(deck, result.errors)
          state.errors = shown.errors
          server?.setState(html, shown)
        } else {
          state.errors = []
          dropStaleFindings(state, result)
          if (result.outputs.length) emit({ type: 'rebuilt', deck, files: result.outputs.map((o) => o.file), ms: b.ms })
          if (result.outputs.some((o) => o.format === 'html')) server?.reload(html, stateOf(deck))
        }
        server?.updateIndex()
        extra.onHtml?.(b)
      },
      onBrowserOutputs: (b) => {
        for (const error of b.result.errors) emit({ type: 'error', deck: b.deck, error })
        if (b.result.outputs.length) emit({ type: 'rebuilt', deck: b.deck, files: b.result.outputs.map((o) => o.file), ms: b.ms })
        // Lint's page findings arrive after the HTML: print the new ones, update the open pages.
        // Findings measured on a render that a newer one replaced meanwhile are old news: the
        // newer render's checks follow.
        const state = stateFor(b.deck)
        const latest = !b.result.deck || state.shown === b.result.deck
        if (latest) {
          const now = sortDiagnostics(b.result.diagnostics)
          const fresh = now.filter((d) => !state.pagePrinted.has(formatDiagnostic(d, cwd)))
          if (fresh.length) emit({ type: 'findings', deck: b.deck, findings: fresh })
          state.pagePrinted = new Set(now.map((d) => formatDiagnostic(d, cwd)))
          state.pageFindings = b.result.diagnostics
          if (!state.failed) server?.setState(builder.outputPath(b.deck, 'html'), stateOf(b.deck))
        }
        server?.updateIndex()
        extra.onBrowserOutputs?.(b)
      },
      onThumbnail: (deck, thumbnail) => {
        const state = decks.get(deck)
        if (state) state.thumbnail = thumbnail
        server?.updateIndex()
        extra.onThumbnail?.(deck, thumbnail)
      },
      onRemoved: (deck, files) => {
        decks.delete(deck)
        const rel = (f: string) => relativePath(f, cwd)
        emit({ type: 'info', message: `${rel(deck)} was deleted${files.length ? `: removed ${files.map(rel).join(', ')}` : ''}` })
        server?.updateIndex()
        extra.onRemoved?.(deck, files)
      },
      onError: (e, file) => {
        emit({ type: 'error', ...(file ? { deck: file } : {}), error: e })
        extra.onError?.(e, file)
      },
    },
  })

  const close = async (): Promise<void> => {
    await watcher.close()
    await server?.close()
    await builder.close()
  }

  try {
    await builder.init()
    await installLint(builder, options.lint)
    builder.browser.warmUp()
    server = new PreviewServer({
      root: build.outDir,
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.port !== undefined ? { port: options.port } : {}),
      nextFreePort: options.nextFreePort ?? false,
      index: () =>
        watcher.deckFiles.map((deck) =>
          indexEntry(
            relativePath(deck, cwd),
            shownFormats.map((f) => builder.outputPath(deck, f)),
            decks.get(deck),
            cwd,
          ),
        ),
    })
    const url = await server.start()
    await watcher.start()
    return { url, builder, watcher, server, close }
  } catch (e) {
    await close()
    throw e
  }
}

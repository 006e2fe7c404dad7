import { Builder, type BuildOptions, type DeckResult } from '../pipeline/builder.js'
import type { RenderedDeck } from '../render/render.js'
import { formatDiagnostic, formatLocation, relativePath, sortDiagnostics, type Diagnostic } from '../util/diagnostics.js'
import { isDeckError } from '../util/errors.js'
import type { EventHandler } from '../pipeline/events.js'
import type { LintConfig } from '../lint/config.js'
import type { OverlayItem, PageState } from '../preview/client.js'
import { PreviewServer } from '../preview/server.js'
import { installLint, overflowingSlides } from '../lint/index.js'
import { changedSlides, pageContent } from '../browser/page-content.js'
import { Watcher, type WatchEvents } from './watcher.js'

/**
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
    const where = e.location ? formatLocation({ file: e.location.file, ...(e.location.line ? { line: e.location.line } : {}) }, cwd) : relativePath(deck, cwd)
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

export async function startWatch(options: WatchSessionOptions): Promise<WatchSession> {
  const { onEvent: emit, build } = options
  const cwd = build.root
  const builder = new Builder(build)
  // Each deck's print page stays open between saves and is updated in place.
  builder.keepPages = true
  const failed = new Set<string>()
  const seen = new Set<string>()
  /** What was last printed for each deck, so unchanged warnings are not repeated on every save. */
  const printed = new Map<string, string>()
  /** The last render findings and page (lint) findings of each deck; the page shows both. */
  const renderFindings = new Map<string, Diagnostic[]>()
  const pageFindings = new Map<string, Diagnostic[]>()
  /** Each deck's last good render, to tell which slides a save changed. */
  const shown = new Map<string, RenderedDeck>()
  /** The page findings last printed per deck, so the terminal shows each one once. */
  const pagePrinted = new Map<string, Set<string>>()
  /**
   * A new render makes the page findings of the slides it changed stale until the browser lane
   * measures them again (a few hundred ms later): the page should not show a fixed slide's
   * overflow in the meantime. Findings of untouched slides stay.
   */
  const dropStaleFindings = (deck: string, result: DeckResult): void => {
    if (!result.deck) return
    const last = shown.get(deck)
    const changed = changedSlides(last && pageContent(last), pageContent(result.deck))
    shown.set(deck, result.deck)
    const kept = changed === 'all' ? [] : (pageFindings.get(deck) ?? []).filter((d) => d.slide === undefined || !changed.includes(d.slide))
    pageFindings.set(deck, kept)
  }
  const stateOf = (deck: string, errors: unknown[] = []): PageState =>
    pageState({ file: deck, errors, diagnostics: [...(renderFindings.get(deck) ?? []), ...(pageFindings.get(deck) ?? [])] }, cwd)
  const extra = options.events ?? {}

  const report = (deck: string, result: DeckResult): void => {
    const text = sortDiagnostics(result.diagnostics).map((d) => formatDiagnostic(d, cwd)).join('\n')
    if (text !== (printed.get(deck) ?? '')) emit({ type: 'findings', deck, findings: sortDiagnostics(result.diagnostics) })
    printed.set(deck, text)
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
        const isNew = !seen.has(deck)
        seen.add(deck)
        renderFindings.set(deck, result.diagnostics)
        if (result.errors.length) {
          failed.add(deck)
          server?.setState(html, stateOf(deck, result.errors))
        } else {
          failed.delete(deck)
          dropStaleFindings(deck, result)
          if (result.outputs.length) emit({ type: 'rebuilt', deck, files: result.outputs.map((o) => o.file), ms: b.ms })
          if (result.outputs.some((o) => o.format === 'html')) server?.reload(html, stateOf(deck))
        }
        if (isNew) server?.reloadIndex()
        extra.onHtml?.(b)
      },
      onBrowserOutputs: (b) => {
        for (const error of b.result.errors) emit({ type: 'error', deck: b.deck, error })
        if (b.result.outputs.length) emit({ type: 'rebuilt', deck: b.deck, files: b.result.outputs.map((o) => o.file), ms: b.ms })
        // Lint's page findings arrive after the HTML: print the new ones, update the open pages.
        // Findings measured on a render that a newer one replaced meanwhile are old news: the
        // newer render's checks follow.
        const latest = !b.result.deck || shown.get(b.deck) === b.result.deck
        if (latest) {
          const before = pagePrinted.get(b.deck) ?? new Set<string>()
          const now = sortDiagnostics(b.result.diagnostics)
          const fresh = now.filter((d) => !before.has(formatDiagnostic(d, cwd)))
          if (fresh.length) emit({ type: 'findings', deck: b.deck, findings: fresh })
          pagePrinted.set(b.deck, new Set(now.map((d) => formatDiagnostic(d, cwd))))
          pageFindings.set(b.deck, b.result.diagnostics)
          if (!failed.has(b.deck)) server?.setState(builder.outputPath(b.deck, 'html'), stateOf(b.deck))
        }
        extra.onBrowserOutputs?.(b)
      },
      onRemoved: (deck, files) => {
        failed.delete(deck)
        renderFindings.delete(deck)
        pageFindings.delete(deck)
        shown.delete(deck)
        pagePrinted.delete(deck)
        printed.delete(deck)
        seen.delete(deck)
        const rel = (f: string) => relativePath(f, cwd)
        emit({ type: 'info', message: `${rel(deck)} was deleted${files.length ? `: removed ${files.map(rel).join(', ')}` : ''}` })
        server?.reloadIndex()
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
        watcher.deckFiles.map((deck) => ({
          name: relativePath(deck, cwd),
          outputs: (['html', 'pdf', 'pptx'] as const).map((f) => builder.outputPath(deck, f)),
          failed: failed.has(deck),
        })),
    })
    const url = await server.start()
    await watcher.start()
    return { url, builder, watcher, server, close }
  } catch (e) {
    await close()
    throw e
  }
}

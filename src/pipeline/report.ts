import type { OutputRecord, DeckResult } from './types.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { ExitCode, reportError, type ReportedError } from '../util/errors.js'

/**
 * What the public API gives back for each deck: plain data (paths, sizes, findings, errors with
 * their place and hint), nothing that holds the render or the browser.
 */
export interface DeckReport {
  /** Absolute path of the deck. */
  file: string
  /** The deck's title (front matter, else its first heading, else its file name); absent when it did not render. */
  title?: string
  /** Slides rendered; 0 when the deck did not render. */
  slides: number
  /** 1-based line where each slide starts. */
  slideLines: number[]
  author?: string
  description?: string
  outputs: OutputRecord[]
  findings: Diagnostic[]
  /** Why the deck (or one of its outputs) failed; empty when it built. */
  errors: ReportedError[]
  renderMs: number
  /** Slide 1, small (for the index page), when the build made one. */
  thumbnail?: string
  /** The deck was not built: its inputs and outputs match the build cache's manifest. */
  upToDate?: boolean
}

export function toReport(result: DeckResult): DeckReport {
  const deck = result.deck
  return {
    file: result.file,
    ...(deck ? { title: deck.title } : {}),
    slides: deck?.slideCount ?? 0,
    slideLines: deck?.facts.slides.map((s) => s.line) ?? [],
    ...(deck?.author ? { author: deck.author } : {}),
    ...(deck?.description ? { description: deck.description } : {}),
    outputs: result.outputs,
    findings: result.diagnostics,
    errors: result.errors.map(reportError),
    renderMs: result.renderMs,
    ...(result.thumbnail ? { thumbnail: result.thumbnail } : {}),
  }
}

/** The exit code for decks that failed: no browser (3) when that is why, else 1. */
export function failureCode(reports: readonly DeckReport[]): ExitCode {
  const broken = reports.filter((r) => r.errors.length > 0)
  if (!broken.length) return ExitCode.OK
  return broken.some((r) => r.errors.some((e) => e.code === ExitCode.NO_BROWSER)) ? ExitCode.NO_BROWSER : ExitCode.BUILD_FAILED
}

import type { Format } from '../config/options.js'
import type { Diagnostic } from '../util/diagnostics.js'

/**
 * Progress of a build, lint or watch, as the API reports it to an `onEvent` callback. The CLI's
 * printer turns each into a line; a library user may ignore them all and read the result.
 */
export type PipelineEvent =
  /** A setting read from a config file that has no meaning here, or an unknown marp-cli key. */
  | { type: 'config-warning'; finding: Diagnostic }
  /** An output was written. */
  | { type: 'output'; deck: string; format: Format; file: string; bytes: number; ms: number }
  /** A deck's findings, once it is done (sorted by line). */
  | { type: 'findings'; deck: string; findings: Diagnostic[] }
  /** A deck, or one of its outputs, failed; `error` is the thrown value (a DeckError when the user can act on it). */
  | { type: 'error'; deck?: string; error: unknown }
  /** `build`: the deck is not built, its outputs are up to date (the build cache). */
  | { type: 'up-to-date'; deck: string }
  /** Something written besides the decks' outputs (the index page). */
  | { type: 'written'; file: string }
  /** Watch mode: a deck was rebuilt (or failed to), and how long it took. */
  | { type: 'rebuilt'; deck: string; files: string[]; ms: number }
  /** A line for a person (watch mode's state changes). */
  | { type: 'info'; message: string }
  /** `build` and `lint`: a deck's turn began; `index` is 1-based among the run's `total` decks. */
  | { type: 'deck-start'; deck: string; index: number; total: number }
  /** A deck's build moved to another stage; `slides` counts the slides done in it when that is cheap. */
  | { type: 'stage'; deck: string; stage: BuildStage; slides?: { done: number; total: number } }
  /** A deck's turn ended (built, checked or failed). */
  | { type: 'deck-done'; deck: string }

/**
 * The stages of one deck's build, in order (the browser's run side by side with the HTML): the
 * progress lines name them. Nothing but those lines depends on them.
 */
export type BuildStage = 'render' | 'load' | 'pdf' | 'check' | 'shots' | 'pptx' | 'html'

export type EventHandler = (event: PipelineEvent) => void

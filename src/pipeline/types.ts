import path from 'node:path'
import {
  buildDate,
  DEFAULTS,
  paperFromLocale,
  type Format,
  type HandoutLayout,
  type HandoutPaper,
  type PptxMode,
} from '../config/options.js'
import type { PdfOutlines } from '../config/schema.js'
import type { RenderedDeck } from '../render/render.js'
import type { RenderSettings } from '../render/settings.js'
import type { Diagnostic } from '../util/diagnostics.js'
import type { BuildStage } from './events.js'

// The pipeline's types: what a build takes (BuildOptions: the render's settings and the
// outputs') and what it gives back for each deck.

export interface BuildOptions extends RenderSettings {
  /** Project root: `slides/` and `css/` live here; relative paths resolve from here. */
  root: string
  /** The folder decks come from; outputs keep their layout under it. */
  inputDir: string
  outDir: string
  /** One deck to one format: the output's exact name (`-o talk.pdf`). */
  outFile?: string
  formats: Format[]
  /** Extra theme CSS files or folders (css/ is always included when it exists). */
  themeSets: string[]
  pdfNotes: boolean
  /** Device scale factor of PNG output (PPTX images are always 2x). */
  imageScale: number
  /** PPTX: editable shapes (default) or one picture per slide. */
  pptxMode: PptxMode
  /** Read local files outside the project (never /proc, /sys, /dev): marp-cli's --allow-local-files. */
  allowLocalFiles: boolean
  /** Fetch remote URLs that resolve to loopback, link-local or private addresses. */
  allowPrivateNetwork: boolean
  /** Largest remote resource embedded, in bytes. */
  maxRemoteBytes: number
  browserPath?: string
  browserTimeoutMs: number
  /** Date stamped into PDF and PPTX metadata; fixed so outputs are reproducible. */
  date: Date
  /** PDF bookmarks. Default: one per slide, no headings. */
  pdfOutlines?: PdfOutlines
  /** The handout PDF: paper and slides a page. */
  handout: { paper: HandoutPaper; layout: HandoutLayout }
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
  /** The deck's thumbnail (slide 1, small), when the build made one for the index page. */
  thumbnail?: string
}

export interface BuildHooks {
  onOutput?: (deck: string, out: OutputRecord) => void
  /** The deck's build moved to another stage (progress lines); `slides` when counted. */
  onStage?: (deck: string, stage: BuildStage, slides?: { done: number; total: number }) => void
}

/** A check of the Markdown and its render (lint's content rules), run after every render. */
export type DeckCheck = (deck: RenderedDeck) => Diagnostic[]

/** The last word on a deck's findings: drops rules turned off (per project, per slide). */
export type DiagnosticReview = (deck: RenderedDeck, list: Diagnostic[]) => Diagnostic[]

/** Every build option at its default, for a project at `root`; tests and benches start here. */
export function defaultBuildOptions(root: string, overrides: Partial<BuildOptions> = {}): BuildOptions {
  return {
    root,
    inputDir: path.join(root, 'slides'),
    outDir: path.resolve(root, DEFAULTS.outDir),
    formats: [...DEFAULTS.formats],
    themeSets: [],
    html: false,
    pdfNotes: false,
    imageScale: DEFAULTS.imageScale,
    pptxMode: DEFAULTS.pptxMode,
    fetchRemote: true,
    remoteTimeoutMs: DEFAULTS.remoteTimeoutMs,
    allowLocalFiles: false,
    allowPrivateNetwork: false,
    maxRemoteBytes: DEFAULTS.maxRemoteMb * 2 ** 20,
    browserTimeoutMs: DEFAULTS.browserTimeoutMs,
    date: buildDate(),
    handout: { paper: paperFromLocale(), layout: DEFAULTS.handoutLayout },
    ...overrides,
  }
}

import type { BuildStage, PipelineEvent } from '../pipeline/events.js'

/*
 * Progress of a build or lint while it runs, from the pipeline's deck-start, stage and deck-done
 * events. On a terminal: one live line (deck n/N, the deck, its stage, slide n/M), redrawn in
 * place and erased before any other line. Without one (CI logs): a plain line for each deck in
 * progress whenever `intervalMs` of work went by with nothing printed, so a log never looks hung.
 * Times here are for the log only; no output file depends on them.
 */

export const STAGE_LABELS: Record<BuildStage, string> = {
  render: 'rendering',
  load: 'loading in Chromium',
  pdf: 'printing PDF',
  check: 'checking slides',
  shots: 'taking screenshots',
  pptx: 'packing PPTX',
  html: 'writing HTML',
}

/** How often a plain progress line comes at most, when nothing else was printed: 5 s. */
export const PLAIN_INTERVAL_MS = 5000
/** Least time between two redraws of the live line for slide counts (stage changes redraw at once). */
const LIVE_REDRAW_MS = 100
/** `\r` and "erase the whole line" (ANSI EL 2): the cursor back at column 1 of an empty line. */
export const ERASE_LINE = '\r\x1b[2K'

export interface DeckProgress {
  deck: string
  index: number
  total: number
  stage?: BuildStage
  slides?: { done: number; total: number }
  /** When the deck's turn began (the progress clock, in ms). */
  since: number
}

/** The live line: `[3/10] slides/talk.md: taking screenshots, slide 12/40, 4 s`, cut to `columns`. */
export function liveLine(p: DeckProgress, rel: string, now: number, columns = 80): string {
  const line = `[${p.index}/${p.total}] ${stateText(p, rel, now)}`
  return line.length < columns ? line : `${line.slice(0, Math.max(0, columns - 2))}…`
}

/** A plain line for a log: `building slides/talk.md (deck 3/10): printing PDF, 12 s`. */
export function plainLine(p: DeckProgress, rel: string, now: number): string {
  return `building ${rel} (deck ${p.index}/${p.total}): ${stageText(p)}, ${seconds(p, now)}`
}

const seconds = (p: DeckProgress, now: number) => `${Math.floor((now - p.since) / 1000)} s`
const stageText = (p: DeckProgress) =>
  `${p.stage ? STAGE_LABELS[p.stage] : 'starting'}${p.slides ? `, slide ${p.slides.done}/${p.slides.total}` : ''}`
const stateText = (p: DeckProgress, rel: string, now: number) => `${rel}: ${stageText(p)}, ${seconds(p, now)}`

export interface ProgressOptions {
  stream: NodeJS.WritableStream
  /** A terminal: redraw one line in place. Otherwise plain lines every `intervalMs` of silence. */
  live: boolean
  intervalMs?: number
  /** The deck's path as lines show it (relative to the working folder). */
  rel: (file: string) => string
  columns?: () => number
  now?: () => number
}

export class Progress {
  private readonly decks = new Map<string, DeckProgress>()
  /** The deck of the latest event: the live line shows it. */
  private latest: string | undefined
  private shown = false
  private lastDraw = 0
  private lastLine: number
  private timer: NodeJS.Timeout | undefined
  private readonly intervalMs: number
  private readonly now: () => number

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now())
    this.intervalMs = options.intervalMs ?? PLAIN_INTERVAL_MS
    this.lastLine = this.now()
  }

  /** Take a progress event; false for any other event. */
  update(e: PipelineEvent): boolean {
    const now = this.now()
    switch (e.type) {
      case 'deck-start':
        this.decks.set(e.deck, { deck: e.deck, index: e.index, total: e.total, since: now })
        this.latest = e.deck
        this.startTimer()
        this.draw(true)
        return true
      case 'stage': {
        const p = this.decks.get(e.deck)
        if (!p) return true
        const changed = p.stage !== e.stage
        p.stage = e.stage
        if (e.slides) p.slides = e.slides
        else delete p.slides
        this.latest = e.deck
        this.draw(changed)
        return true
      }
      case 'deck-done':
        this.decks.delete(e.deck)
        if (this.latest === e.deck) this.latest = this.decks.keys().next().value
        if (!this.decks.size) this.stop()
        else this.draw(true)
        return true
      default:
        return false
    }
  }

  /** Before another line is written: erase the live line. */
  clear(): void {
    if (this.shown) this.options.stream.write(ERASE_LINE)
    this.shown = false
  }

  /** After another line was written: the live line comes back under it; a plain log's silence restarts. */
  printed(): void {
    this.lastLine = this.now()
    this.draw(true)
  }

  /** The run is over: the live line goes, the timer stops. */
  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    this.decks.clear()
    this.latest = undefined
    this.clear()
  }

  private startTimer(): void {
    if (this.timer) return
    // Live: the seconds on the line tick. Plain: checked ten times an interval (see tick).
    this.timer = setInterval(() => this.tick(), this.options.live ? 1000 : this.plainTick)
    this.timer.unref()
  }

  private get plainTick(): number {
    return Math.max(10, this.intervalMs / 10)
  }

  private tick(): void {
    if (this.options.live) return this.draw(true)
    const now = this.now()
    // A line once the silence is within one check of the interval, so none lasts longer.
    if (now - this.lastLine < this.intervalMs - this.plainTick || !this.decks.size) return
    for (const p of this.decks.values()) this.options.stream.write(`${plainLine(p, this.options.rel(p.deck), now)}\n`)
    this.lastLine = now
  }

  private draw(force: boolean): void {
    if (!this.options.live) return
    const p = this.latest === undefined ? undefined : this.decks.get(this.latest)
    if (!p) return this.clear()
    const now = this.now()
    if (!force && now - this.lastDraw < LIVE_REDRAW_MS) return
    this.lastDraw = now
    const columns = this.options.columns?.() ?? 80
    this.options.stream.write(`${ERASE_LINE}${liveLine(p, this.options.rel(p.deck), now, columns)}`)
    this.shown = true
  }
}

/** Whether a stream is a terminal that can redraw a line (not `TERM=dumb`). */
export function isLiveTerminal(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true && env['TERM'] !== 'dumb'
}

/**
 * The plain lines' interval: 5 s. `DECK_PROGRESS_INTERVAL_MS` overrides it; only the tests set
 * it (so that a test of the plain lines needs no 5 s build).
 */
export function progressInterval(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env['DECK_PROGRESS_INTERVAL_MS'])
  return Number.isFinite(ms) && ms > 0 ? ms : PLAIN_INTERVAL_MS
}

import type { Page } from 'puppeteer-core'
import type { Diagnostic } from '../util/diagnostics.js'
import { drainShots, type ShotJob } from './screenshots.js'
import { collectGarbage, present, type View } from './page.js'
import { onlySlides, type PageContent } from './page-content.js'
import type { RenderedDeck } from '../render/render.js'
import { measure, mergeMeasures, type PageCheck, type SlideMeasure } from './warm-pages.js'
import createDebug from '../util/debug.js'

/** `DEBUG=deck:chunks`: what each chunk cost, step by step (docs/PERFORMANCE.md has such figures). */
const debug = createDebug('chunks')

/**
 * The page checks and slide pictures of a one-shot build, a chunk of slides at a time. Once the
 * print page has printed the PDF, it and the second window each hold one chunk (the other
 * slides are empty, in their place), check it, shoot it, and swap in the next: the print page
 * from the front of the deck, the second window from the back. A page so never holds the whole
 * deck during the shots, nor axe-core a grid of every element of it: on a big deck, those are
 * what the renderers' memory grows with.
 */
export class ChunkedWork {
  private readonly measured = new Map<PageCheck, readonly SlideMeasure[]>()
  private readonly failed = new Map<PageCheck, unknown>()
  private readonly views = new Map<Page, View>()
  /**
   * Slides (0-based) no page has checked (and read) yet: every slide when there are checks or a
   * reader, so a build with no shots (the editable PPTX reads the page instead) still goes in chunks.
   */
  private readonly unchecked: Set<number>

  constructor(
    private readonly deck: RenderedDeck,
    private readonly content: PageContent,
    private readonly queue: ShotJob[],
    private readonly checks: readonly PageCheck[],
    private readonly done: (job: ShotJob, png: Uint8Array) => void,
    /** Most slides a page holds at a time. */
    private readonly maxChunk: number,
    /** Reads each chunk's slides (0-based) off the page that holds them, after the checks (the editable PPTX). */
    private readonly read?: (page: Page, slides: number[]) => Promise<void>,
  ) {
    this.unchecked = new Set(checks.length || read ? Array.from({ length: deck.slideCount }, (_, i) => i) : [])
  }

  /** Tell the work that `page` shows the whole deck (the print page), so chunks swap into it. */
  showsWholeDeck(page: Page): void {
    this.views.set(page, { page, shows: this.content })
  }

  /**
   * Work on `page` until the queue is empty. Jobs of a chunk that failed go back to the queue,
   * for either page (see present for what the page then shows).
   */
  async run(page: Page, end: 'front' | 'back'): Promise<void> {
    while (this.queue.length > 0 || this.unchecked.size > 0) {
      const { jobs: mine, slides: chosen } = this.take(end)
      let checked = false
      try {
        // The shots' slides in their order, then the slides taken only to be checked.
        const slides = [...new Set([...mine.map((j) => j.slide), ...chosen])].map((s) => s + 1)
        const next = onlySlides(this.content, slides)
        const view = this.views.get(page)
        const laps = new Laps()
        if (view) {
          await present(view, this.deck, next)
          laps.lap('swap')
          // The slides swapped out are garbage now. Collected at once, not when V8 gets to it,
          // so each renderer holds about one chunk, for the small cost of a full collection
          // per chunk.
          await collectGarbage(page)
          laps.lap('gc')
        } else {
          const fresh: View = { page, shows: undefined }
          this.views.set(page, fresh)
          await present(fresh, this.deck, next, true)
          laps.lap('load')
        }
        await this.check(page, slides)
        laps.lap('checks')
        if (this.read) await this.read(page, chosen)
        laps.lap('read')
        checked = true
        await drainShots(page, this.deck, mine, this.done)
        laps.lap(`${mine.length} shots`)
        debug('%s: %d slides from the %s: %s', this.deck.file, slides.length, end, laps)
      } finally {
        this.queue.push(...mine)
        if (!checked) for (const s of chosen) this.unchecked.add(s)
      }
    }
  }

  /** Every check's findings over every slide measured, or its failure findings. */
  findings(): Diagnostic[] {
    return this.checks.flatMap((check) => {
      const error = this.failed.get(check)
      if (this.failed.has(check)) return check.failed(this.deck, error)
      return check.findings(this.deck, this.measured.get(check) ?? [])
    })
  }

  /**
   * The next chunk from one end: at most maxChunk slides and about half of those left, so that
   * near the end the two pages finish together; never fewer than a few slides, since each
   * chunk costs a swap and a run of every check.
   */
  private take(end: 'front' | 'back'): { jobs: ShotJob[]; slides: number[] } {
    const left = [...new Set([...this.queue.map((j) => j.slide), ...this.unchecked])].sort((a, b) => a - b)
    const count = Math.min(this.maxChunk, Math.max(MIN_CHUNK, Math.ceil(left.length / 2)))
    const slides = end === 'front' ? left.slice(0, count) : left.slice(-count)
    const chosen = new Set(slides)
    const taken = this.queue.filter((j) => chosen.has(j.slide))
    const kept = this.queue.filter((j) => !chosen.has(j.slide))
    this.queue.splice(0, this.queue.length, ...kept)
    for (const s of slides) this.unchecked.delete(s)
    return { jobs: taken, slides }
  }

  private async check(page: Page, slides: number[]): Promise<void> {
    for (const check of this.checks) {
      if (this.failed.has(check)) continue
      try {
        const found = await measure(check, page, this.deck, slides)
        this.measured.set(check, mergeMeasures(this.measured.get(check) ?? [], slides, found))
      } catch (e) {
        this.failed.set(check, e)
      }
    }
  }
}

const MIN_CHUNK = 4

/** Steps and their times, for the debug log. */
class Laps {
  private last = performance.now()
  private readonly steps: string[] = []

  lap(step: string): void {
    const now = performance.now()
    this.steps.push(`${step} ${Math.round(now - this.last)} ms`)
    this.last = now
  }

  toString(): string {
    return this.steps.join(', ')
  }
}

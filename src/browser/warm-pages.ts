import type { Page } from 'puppeteer-core'
import { crashed, pageStep } from './step.js'
import createDebug from '../util/debug.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { changedSlides, onlySlides, pageContent, type PageContent } from './page-content.js'
import { present, type View } from './page.js'
import type { RenderedDeck } from '../render/render.js'

/*
 * The print pages watch mode keeps open between builds, one per deck, and the one record of what
 * each page shows and what the page checks measured on it. A save that changes one slide of a
 * 200-slide deck replaces that slide in the print page, and measures that slide again on a
 * scratch page that holds it alone; the other slides' measurements are kept. (axe-core walks
 * every element of its page whatever context it is given, so a page of one slide is checked far
 * sooner.) Any other page (a build, `deck lint`) is checked in full.
 */

const debug = createDebug('build')

/** What a page check saw on one slide; `slide` is 1-based, 0 for what lies outside every slide. */
export interface SlideMeasure {
  slide: number
}

/**
 * A check that runs in the loaded print page of every browser build (lint's overflow and
 * contrast checks), so it measures exactly what the PDF prints without a second load. Measuring
 * and wording are apart so that measurements of unchanged slides can be kept, and their findings
 * still get this render's line numbers.
 */
export interface PageCheck<M extends SlideMeasure = SlideMeasure> {
  /**
   * Measure the given slides (1-based), or every slide without `slides`. With `slides`, the page
   * may hold only those: the other slides are empty, in their place.
   */
  measure(page: Page, deck: RenderedDeck, slides?: readonly number[]): Promise<M[]>
  /** Findings from this check's own measurements of every slide, placed with `deck`'s lines. */
  findings(deck: RenderedDeck, measures: readonly M[]): Diagnostic[]
  /** Findings to report when `measure` throws: a failing check must not cost the outputs. */
  failed(deck: RenderedDeck, error: unknown): Diagnostic[]
  /**
   * Load what `measure` needs into a page before any deck is in it (a one-shot build does this
   * in the page opened ahead while the deck renders). What it loads must outlive the deck's
   * `setContent`, which keeps the page's JavaScript globals.
   */
  prepare?(page: Page): Promise<void>
}

interface WarmPage {
  /** The print page: every slide of the last render, for the PDF, the shots and full checks. */
  print: View
  /** A page with the deck's frame and only the slides being measured again (see onlySlides). */
  scratch: View | undefined
  /** What the checks measured, per check, and on which content; undefined before a complete run. */
  checked: { shows: PageContent; measures: Map<PageCheck, readonly SlideMeasure[]> } | undefined
}

export class WarmPages {
  private readonly pages = new Map<string, WarmPage>()

  /** `open` gives a new page of the one browser; pages given here are closed here. */
  constructor(private readonly open: () => Promise<Page>) {}

  /** The deck's warm print page, showing `deck`: updated in place, or opened and loaded. */
  async show(deck: RenderedDeck): Promise<Page> {
    const warm = this.pages.get(deck.file)
    if (warm && usable(warm.print.page)) {
      try {
        await present(warm.print, deck, pageContent(deck))
        return warm.print.page
      } catch (e) {
        // Its browser crashed before we heard of it: the deck goes into a fresh page (and browser).
        if (!crashed(warm.print.page.browser(), e)) throw e
      }
    }
    if (warm) this.release(deck.file)
    const fresh: WarmPage = { print: { page: await this.open(), shows: undefined }, scratch: undefined, checked: undefined }
    // Recorded before loading, so a page that fails to load is still closed by `release`.
    this.pages.set(deck.file, fresh)
    await present(fresh.print, deck, pageContent(deck), true)
    return fresh.print.page
  }

  /**
   * Run `checks` on a page showing `deck`. For the deck's warm page, only the slides changed since
   * the last complete run are measured, on the scratch page; anywhere else, or when anything but
   * slides changed, every slide is, on `page`.
   */
  async check(page: Page, deck: RenderedDeck, checks: readonly PageCheck[]): Promise<Diagnostic[]> {
    const warm = this.pages.get(deck.file)
    const entry = warm?.print.page === page ? warm : undefined
    const shows = entry?.print.shows
    const last = entry?.checked
    const changed = changedSlides(last?.shows, shows)
    debug('%s: page checks on %s of %d slides', deck.file, changed === 'all' ? 'all' : changed.length, deck.slideCount)
    let target = page
    if (entry && shows && changed !== 'all' && changed.length) {
      // Measuring the changed slides in the print page gives the same figures, only slower.
      target = await this.scratch(entry, deck, onlySlides(shows, changed)).catch((e: unknown) => {
        debug('%s: no scratch page, measuring in the print page: %O', deck.file, e)
        this.closeScratch(entry)
        return page
      })
    }
    const measures = new Map<PageCheck, readonly SlideMeasure[]>()
    const found: Diagnostic[] = []
    let complete = true
    for (const check of checks) {
      const kept = last?.measures.get(check)
      try {
        let measured: readonly SlideMeasure[]
        if (changed === 'all' || !kept) measured = await measure(check, page, deck)
        else measured = mergeMeasures(kept, changed, changed.length ? await measure(check, target, deck, changed) : [])
        measures.set(check, measured)
        found.push(...check.findings(deck, measured))
      } catch (e) {
        complete = false
        found.push(...check.failed(deck, e))
      }
    }
    if (entry) {
      // A check that failed measured nothing: the next run starts over with every slide.
      entry.checked = complete && shows ? { shows, measures } : undefined
      if (!complete) this.closeScratch(entry)
    }
    return found
  }

  /** The deck's warm print page when it is open and shows a known render in full, else undefined. */
  printPage(file: string): Page | undefined {
    const warm = this.pages.get(file)
    return warm?.print.shows && usable(warm.print.page) ? warm.print.page : undefined
  }

  /** Close the warm pages of a deck (deleted, or after an error); safe to call for any deck. */
  release(file: string): void {
    const warm = this.pages.get(file)
    this.pages.delete(file)
    if (!warm) return
    this.closeScratch(warm)
    close(warm.print.page)
  }

  releaseAll(): void {
    for (const file of [...this.pages.keys()]) this.release(file)
  }

  private async scratch(entry: WarmPage, deck: RenderedDeck, content: PageContent): Promise<Page> {
    if (entry.scratch && usable(entry.scratch.page)) {
      await present(entry.scratch, deck, content)
      return entry.scratch.page
    }
    entry.scratch = { page: await this.open(), shows: undefined }
    await present(entry.scratch, deck, content, true)
    return entry.scratch.page
  }

  private closeScratch(entry: WarmPage): void {
    if (entry.scratch) close(entry.scratch.page)
    entry.scratch = undefined
  }
}

/** A page that can still be used: not closed, and its browser has not crashed or been shut down since. */
const usable = (page: Page): boolean => !page.isClosed() && page.browser().connected

function close(page: Page): void {
  if (!page.isClosed()) void page.close().catch(() => undefined)
}

/** One check on `slides` (every slide when undefined), within a deadline that grows with them. */
export function measure(check: PageCheck, page: Page, deck: RenderedDeck, slides?: readonly number[]): Promise<readonly SlideMeasure[]> {
  return pageStep(page, { stage: 'checking the slides', deck: deck.file, slides: slides?.length ?? deck.slideCount }, () =>
    check.measure(page, deck, slides),
  )
}

/** Kept measurements of unchanged slides with fresh ones of the changed slides, in slide order. */
export function mergeMeasures(kept: readonly SlideMeasure[], changed: readonly number[], fresh: readonly SlideMeasure[]): SlideMeasure[] {
  const redone = new Set(changed)
  return [...kept.filter((m) => !redone.has(m.slide)), ...fresh].sort((a, b) => a.slide - b.slide)
}

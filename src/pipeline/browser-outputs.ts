import type { Page } from 'puppeteer-core'
import { ChunkedWork } from '../browser/chunks.js'
import type { BrowserManager } from '../browser/manager.js'
import { collectNodeGarbage } from '../browser/memory.js'
import { pageContent } from '../browser/page-content.js'
import { collectGarbage, loadDeck } from '../browser/page.js'
import { drainShots, shotJobs, type ShotJob } from '../browser/screenshots.js'
import type { PageCheck } from '../browser/warm-pages.js'
import type { Format } from '../config/options.js'
import { buildHandout } from '../export/handout/handout.js'
import { finishPdf, printPdf } from '../export/pdf.js'
import { PictureStore } from '../export/pptx-pictures.js'
import { finishPptx, preparePptx, type PptxSkeleton } from '../export/pptx.js'
import { writeEditablePptx } from '../export/pptx/document.js'
import { captureSlides, ChunkCaptures, type SlideCapture } from '../export/pptx/extract.js'
import type { RenderedDeck } from '../render/render.js'
import createDebug from '../util/debug.js'
import type { Diagnostic } from '../util/diagnostics.js'
import type { BuildStage } from './events.js'
import { stage } from './stage.js'
import type { BuildHooks, BuildOptions } from './types.js'

// The browser's part of a build: the PDF, the page checks and the screenshots (PNG, PPTX
// pictures) of one deck, from its print page and, when it pays, a second window.

const debug = createDebug('build')

/** What the browser outputs need of the Builder that runs them. */
export interface BrowserOutputs {
  browser: BrowserManager
  options: BuildOptions
  /** Watch mode: the deck's print page stays open for the next save (no chunks then). */
  keepPages: boolean
  pageChecks: PageCheck[]
  /** The page checks of a whole loaded print page. */
  checkPage(page: Page, deck: RenderedDeck): Promise<Diagnostic[]>
  /** Run `fn` on a page showing the deck (a fresh one, or the deck's warm page). */
  withDeckPage<T>(deck: RenderedDeck, fn: (page: Page) => Promise<T>): Promise<T>
  outputPath(deckFile: string, format: Format, slide?: number): string
  /** Progress: the deck's build moved to another stage (see BuildHooks.onStage). */
  onStage?: BuildHooks['onStage']
  /** Write the deck's thumbnail (slide 1 at THUMBNAIL_SCALE, for the index page); none when unset. */
  thumbnail?: (png: Uint8Array) => Promise<void>
}

export const PPTX_SCALE = 2
/** Slide 1 at this scale is the deck's thumbnail on the index page (320 × 180 for a 16:9 slide). */
export const THUMBNAIL_SCALE = 0.25
/**
 * From this many screenshots a second window loads the deck and shoots alongside the print page
 * (in the headless shell, see BrowserManager.isHeadlessShell): its load costs about as much as
 * three or four shots.
 */
const MIN_SHOTS_TO_SHARE = 6
/**
 * Most slides a page holds at a time while checking and shooting (see ChunkedWork): smaller
 * chunks lower the build's peak memory and cost time (docs/PERFORMANCE.md).
 */
const SHOT_CHUNK = 12
/**
 * The same when the pages only check and read slides (the editable PPTX, no shots): each chunk
 * costs a run of every check and a read, so fewer, larger chunks (docs/PERFORMANCE.md).
 */
const READ_CHUNK = 25
/**
 * From this many slides, pages work in chunks: a big deck then builds sooner and in less memory.
 * A small deck is slower in chunks, since both windows then load axe-core for few slides.
 */
const CHUNKED_FROM = 48
/** Shots between two collections of Node's own garbage (see collectNodeGarbage). */
const NODE_GC_EVERY = 24

/**
 * PDF, page checks and screenshots. The print page prints the PDF and runs the checks while a
 * second window (when there are enough shots to share) loads the deck and starts on the
 * screenshot queue; the print page then joins it. If the second page fails, the print page
 * finishes the shots. A big deck instead has both windows check and shoot
 * a chunk of slides at a time once the PDF is printed (see ChunkedWork).
 */
export async function writeBrowserOutputs(
  ctx: BrowserOutputs,
  deck: RenderedDeck,
  formats: Format[],
  started: number,
  emit: (format: Format, out: string, data: string | Uint8Array, since: number) => Promise<void>,
  diagnostics: Diagnostic[],
  loaded: () => void = () => {},
): Promise<void> {
  const { file } = deck
  const writes: Array<Promise<void>> = []
  const scales = new Set<number>()
  // The editable PPTX is read from the print page (captureSlides); only the picture deck needs slide shots.
  const pictureDeck = formats.includes('pptx') && ctx.options.pptxMode === 'picture'
  const editable = formats.includes('pptx') && !pictureDeck
  if (pictureDeck) scales.add(PPTX_SCALE)
  if (formats.includes('png')) scales.add(ctx.options.imageScale)
  const queue = shotJobs(deck.slideCount, [...scales])
  const onStage = (stage: BuildStage, slides?: { done: number; total: number }) => ctx.onStage?.(file, stage, slides)
  // One-shot builds of big decks check and shoot a chunk of slides at a time (see
  // ChunkedWork); watch mode keeps its whole print page for the next save. The editable PPTX
  // takes no shots, but its checks in chunks keep axe-core's grid of the whole deck from
  // adding to the memory of the print page that holds it (docs/PERFORMANCE.md).
  const big = !ctx.keepPages && (queue.length > 0 || editable) && deck.slideCount >= CHUNKED_FROM
  if (ctx.thumbnail && deck.slideCount > 0) queue.push({ slide: 0, scale: THUMBNAIL_SCALE, thumbnail: true })
  const pictures = pictureDeck ? await PictureStore.create() : undefined
  try {
    let shot = 0
    const done = (job: ShotJob, png: Uint8Array) => {
      shot += 1
      if (!job.thumbnail) onStage('shots', { done: Math.floor(shot / Math.max(1, scales.size)), total: deck.slideCount })
      if (big && shot % NODE_GC_EVERY === 0) collectNodeGarbage()
      if (job.thumbnail) return void writes.push(ctx.thumbnail!(png))
      if (pictures && job.scale === PPTX_SCALE) pictures.put(job.slide, png)
      if (formats.includes('png') && job.scale === ctx.options.imageScale) {
        writes.push(emit('png', ctx.outputPath(file, 'png', job.slide), png, started))
      }
    }
    let skeleton: Promise<PptxSkeleton> | undefined
    const content = big ? pageContent(deck) : undefined
    // A big deck's editable PPTX is read a chunk at a time, with the checks (reading the page that
    // holds the whole deck took the renderer to the build's peak of memory).
    const chunkCaptures = content && editable ? new ChunkCaptures() : undefined
    const readChunk = async (page: Page, slides: number[]) => chunkCaptures!.add(slides, await captureSlides(page, deck, slides))
    const chunk = queue.length ? SHOT_CHUNK : READ_CHUNK
    const work = content && new ChunkedWork(deck, content, queue, ctx.pageChecks, done, chunk, chunkCaptures && readChunk)

    // The second window starts loading once the print page has: two loads at once would only
    // share the CPU, while the print page's PDF and checks leave room for one.
    let printPageLoaded = (): void => {}
    const printPageReady = new Promise<void>((resolve) => (printPageLoaded = resolve))
    const helper = (async () => {
      // A big deck's editable PPTX shares its chunks (checks and reading) as slide shots are shared.
      if ((queue.length < MIN_SHOTS_TO_SHARE && !chunkCaptures) || !(await ctx.browser.isHeadlessShell())) return
      await ctx.browser.withPage(async (page) => {
        await printPageReady
        if (work) return work.run(page, 'back')
        if (queue.length === 0) return
        await loadDeck(page, deck)
        await drainShots(page, deck, queue, done)
      })
    })().catch((e: unknown) => debug('second window failed, the print page takes over: %O', e))

    // The handout lays the slides out in a page of its own, loaded once the print page has.
    if (formats.includes('handout')) {
      const handout = (async () => {
        await printPageReady
        const made = await buildHandout(ctx.browser, deck, { ...ctx.options.handout, date: ctx.options.date })
        diagnostics.push(...made.diagnostics)
        await emit('handout', ctx.outputPath(file, 'handout'), made.pdf, started)
      })()
      handout.catch(() => undefined) // awaited with the other writes; this keeps an early failure from going unhandled
      writes.push(handout)
    }

    let ok = false
    try {
      onStage('load')
      await ctx.withDeckPage(deck, async (page) => {
        stage(file, 'page loaded', started)
        loaded()
        // In chunks, the second window waits for the PDF: the print page holds the whole deck
        // until then, and both at once would make the build's peak of memory. Except for the
        // editable PPTX's chunks (checks and reading, no shots): started during the print they
        // save about a second of a 200-slide build for ~85 MB more at the peak (docs/PERFORMANCE.md).
        if (!work || chunkCaptures) printPageLoaded()
        // The package is made on this thread while Chromium works; only the pictures go in after.
        if (pictureDeck) {
          skeleton = preparePptx(deck, { date: ctx.options.date })
          skeleton.catch(() => undefined) // awaited below; this keeps an early failure from going unhandled
        }
        if (formats.includes('pdf')) {
          onStage('pdf')
          const raw = await printPdf(page, deck)
          stage(file, 'printed', started)
          writes.push(
            (async () => {
              await emit(
                'pdf',
                ctx.outputPath(file, 'pdf'),
                await finishPdf(raw, deck, {
                  notes: ctx.options.pdfNotes,
                  date: ctx.options.date,
                  ...(ctx.options.pdfOutlines ? { outlines: ctx.options.pdfOutlines } : {}),
                }),
                started,
              )
              // pdf-lib's parse of the whole document is garbage now: collected before the
              // shots take the build to its peak of memory. Not in watch mode, where a pause
              // would hold up saves.
              if (!ctx.keepPages) collectNodeGarbage()
            })(),
          )
        }
        // The editable PPTX: the slide model and element pictures, read while the page holds the
        // whole deck (or a chunk at a time, see chunkCaptures); the package is written on this
        // thread while Chromium goes on.
        const writePptx = (capture: SlideCapture) => {
          stage(file, 'slides read for the PPTX', started)
          writes.push(
            (async () =>
              emit('pptx', ctx.outputPath(file, 'pptx'), await writeEditablePptx(deck, capture, { date: ctx.options.date }), started))(),
          )
        }
        if (work) {
          printPageLoaded()
          if (queue.length) onStage('shots', { done: 0, total: deck.slideCount })
          else if (ctx.pageChecks.length) onStage('check')
          work.showsWholeDeck(page)
          await work.run(page, 'front')
          await helper
          // Jobs the second window gave back when it failed.
          await work.run(page, 'front')
          diagnostics.push(...work.findings())
          if (chunkCaptures) writePptx(chunkCaptures.whole(deck.slideCount))
        } else {
          if (ctx.pageChecks.length) onStage('check')
          diagnostics.push(...(await ctx.checkPage(page, deck)))
          // axe-core's grid of every element is garbage once the checks ran; collected now, the
          // page shoots with less held, at no cost in time.
          if (ctx.pageChecks.length && queue.length) await collectGarbage(page)
          stage(file, 'page checks done', started)
          if (editable) {
            onStage('pptx')
            writePptx(await captureSlides(page, deck))
          }
          if (queue.length) onStage('shots', { done: 0, total: deck.slideCount })
          await drainShots(page, deck, queue, done)
          await helper
          // Shots the second page gave back when it failed.
          await drainShots(page, deck, queue, done)
        }
        stage(file, `${shot} shots done`, started)
      })
      ok = true
    } finally {
      // After a failure the second window has nothing left to do: it must not outlive the build.
      if (!ok) queue.splice(0)
      printPageLoaded()
      await helper
    }
    if (skeleton) {
      onStage('pptx')
      const packed = skeleton
      writes.push(
        (async () =>
          emit('pptx', ctx.outputPath(file, 'pptx'), await finishPptx(await packed, (slide) => pictures!.get(slide)), started))(),
      )
    }
    const settled = await Promise.allSettled(writes)
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed) throw failed.reason
  } finally {
    await pictures?.dispose()
  }
}

import type { Page } from 'puppeteer-core'
import { bounded, pageStep } from './step.js'
import type { RenderedDeck } from '../render/render.js'

/*
 * Slide images for PNG output and PPTX pictures. One slide is shown at a time in a viewport of
 * the slide's size (cheaper than clipping a tall page). Shots come from a shared queue so
 * that two pages can drain it together, each at its own pace.
 */

export interface ShotJob {
  /** 0-based slide index. */
  slide: number
  scale: number
  /** The deck's thumbnail for the index page (slide 1 at a small scale), not a PNG output. */
  thumbnail?: boolean
}

export function shotJobs(slideCount: number, scales: number[]): ShotJob[] {
  return scales.flatMap((scale) => Array.from({ length: slideCount }, (_, slide) => ({ slide, scale })))
}

export async function drainShots(
  page: Page,
  deck: RenderedDeck,
  queue: ShotJob[],
  done: (job: ShotJob, png: Uint8Array) => void,
): Promise<void> {
  if (queue.length === 0) return
  // Page.captureScreenshot on a session of our own: puppeteer's page.screenshot() takes a lock
  // per browser context, which would make two pages shoot in turn instead of side by side. The
  // scale is set on the same session (a capture ignores another session's device metrics), and
  // detaching the session drops it again.
  const step = (stage: string) => ({ stage, deck: deck.file })
  const session = await pageStep(page, step('taking the slide pictures'), () => page.createCDPSession())
  let scale = 0
  let ok = false
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const shot = job
      try {
        // One slide at a time: the deadline is --browser-timeout, whatever the deck's size.
        const png = await pageStep(page, step(`taking the picture of slide ${shot.slide + 1}`), async () => {
          if (shot.scale !== scale) {
            await session.send('Emulation.setDeviceMetricsOverride', {
              width: deck.size.width,
              height: deck.size.height,
              deviceScaleFactor: shot.scale,
              mobile: false,
            })
            scale = shot.scale
          }
          await page.evaluate((i: number) => {
            document.body.dataset['deckShot'] = ''
            const slides = document.querySelectorAll('svg[data-marpit-svg]')
            slides.forEach((el, j) => el.classList.toggle('deck-shot', j === i))
          }, shot.slide)
          const { data } = await session.send('Page.captureScreenshot', {
            format: 'png',
            optimizeForSpeed: true,
            captureBeyondViewport: false,
          })
          return Buffer.from(data, 'base64')
        })
        done(shot, png)
      } catch (e) {
        // Give the job back so another page can take it.
        queue.unshift(shot)
        throw e
      }
    }
    ok = true
  } finally {
    await bounded(page.getDefaultTimeout(), session.detach(), undefined)
    if (scale !== 0) {
      // Back to the print layout, for whatever runs on this page next (after a failure, if it can).
      const restore = pageStep(page, step('taking the slide pictures'), () =>
        page.evaluate(() => {
          delete document.body.dataset['deckShot']
          document.querySelectorAll('.deck-shot').forEach((el) => el.classList.remove('deck-shot'))
        }),
      )
      if (ok) await restore
      else await restore.catch(() => undefined)
    }
  }
}

/**
 * A small picture of the first slide of a page that shows the deck in the print layout (the
 * preview dashboard's thumbnail): a clip of the slide, scaled down by the capture itself, so
 * the page's viewport and layout stay as the next build left them.
 */
export async function firstSlideThumbnail(page: Page, deck: RenderedDeck, width: number): Promise<Uint8Array> {
  const step = { stage: 'taking the thumbnail', deck: deck.file }
  const session = await pageStep(page, step, () => page.createCDPSession())
  try {
    return await pageStep(page, step, async () => {
      const { data } = await session.send('Page.captureScreenshot', {
        format: 'png',
        clip: { x: 0, y: 0, width: deck.size.width, height: deck.size.height, scale: width / deck.size.width },
        optimizeForSpeed: true,
        captureBeyondViewport: false,
      })
      return Buffer.from(data, 'base64')
    })
  } finally {
    await bounded(page.getDefaultTimeout(), session.detach(), undefined)
  }
}

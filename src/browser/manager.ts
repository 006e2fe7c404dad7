import os from 'node:os'
import type { Browser, HTTPRequest, Page } from 'puppeteer-core'
import createDebug from '../debug.js'
import { DeckError, ExitCode } from '../errors.js'
import { findBrowser, NO_BROWSER_HINT } from './find.js'
import { spawnChromium, type ChromiumProcess } from './spawn.js'

const debug = createDebug('browser')

/** Opening a file or a page served on this machine (the preview, an output) is not the network. */
const isLocalNavigation = (url: string): boolean =>
  url.startsWith('file:') || /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(url)

export interface BrowserOptions {
  /** Explicit executable; otherwise CHROME_PATH, then the usual install paths. */
  executablePath?: string
  /** Timeout for one browser operation (launch, load, print, screenshot). */
  timeoutMs: number
  /**
   * Chromium processes a job may spread over (default: 2 on a machine with 2+ cores, else 1).
   * Screenshots are painted by one compositor per process, so two tabs of one Chromium run in
   * turn while two processes run at once (measured: ~105 ms a 2x slide alone, ~66 ms with two).
   */
  processes?: number
}

/** Wait for `p`, but no longer than `ms` (the timer does not keep the process alive). */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([p, new Promise((r) => (timer = setTimeout(r, ms)))])
  clearTimeout(timer)
}

/** The browser manager for a build's options (--browser-path, --browser-timeout). */
export function browserFor(options: { browserTimeoutMs: number; browserPath?: string }): BrowserManager {
  return new BrowserManager({ timeoutMs: options.browserTimeoutMs, ...(options.browserPath ? { executablePath: options.browserPath } : {}) })
}

/**
 * The one owner of Chromium. The browser is launched lazily on first use and the launch is
 * memoised, so every deck and format of a build (and every rebuild in watch mode) shares it; it
 * is forgotten when it disconnects (a crash), so the next job relaunches it. Pages are opened per
 * job and closed in `finally`. No page may reach the network: everything a deck needs is inlined
 * before it gets here, so any other request is blocked and recorded.
 */
export class BrowserManager {
  private readonly launching: Array<Promise<Browser> | undefined> = []
  private closed = false
  private readonly chromiums = new Map<Browser, ChromiumProcess>()
  /** A page opened ahead of need by warmUp, per slot. */
  private readonly spare: Array<Promise<Page> | undefined> = []
  /** How many Chromium processes jobs may use; slot 0 is the one every job uses. */
  readonly processes: number
  /** Requests that pages tried to make and were refused (should stay empty). */
  readonly blockedRequests: string[] = []

  constructor(private readonly options: BrowserOptions) {
    this.processes = Math.max(1, options.processes ?? Math.min(2, os.availableParallelism()))
  }

  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /**
   * Start launching now (e.g. while decks render) without waiting, and open one page ahead: a
   * page's renderer process takes ~100 ms of CPU to start, which then overlaps the render
   * instead of delaying the first page load.
   */
  warmUp(slots = 1): void {
    for (let slot = 0; slot < Math.min(slots, this.processes); slot += 1) {
      if (this.spare[slot]) continue
      const page = this.openPage(slot)
      this.spare[slot] = page
      page.catch(() => {
        // The error is reported by the job that needs the browser.
        if (this.spare[slot] === page) this.spare[slot] = undefined
      })
    }
  }

  /** The Chromium process of a slot (0 unless a job spreads over several), launched once. */
  browser(slot = 0): Promise<Browser> {
    if (this.closed) return Promise.reject(new DeckError('browser manager is closed'))
    if (slot < 0 || slot >= this.processes) return Promise.reject(new DeckError(`no browser slot ${slot}`))
    let launching = this.launching[slot]
    if (!launching) {
      launching = this.launch(slot).catch((e: unknown) => {
        this.launching[slot] = undefined
        throw e
      })
      this.launching[slot] = launching
    }
    return launching
  }

  private async launch(slot: number): Promise<Browser> {
    const executablePath = findBrowser(this.options.executablePath)
    debug('launch %s (slot %d)', executablePath, slot)
    // The process starts now; puppeteer-core (~120 ms to import) loads while Chromium starts.
    const starting = spawnChromium(executablePath, this.options.timeoutMs)
    const puppeteer = import('puppeteer-core')
    let chromium: ChromiumProcess
    try {
      chromium = await starting
    } catch (e) {
      throw new DeckError(`could not launch ${executablePath}: ${(e as Error).message.split('\n')[0]}`, {
        code: ExitCode.NO_BROWSER,
        hint: NO_BROWSER_HINT,
        cause: e,
      })
    }
    let browser: Browser
    try {
      browser = await (await puppeteer).default.connect({
        browserWSEndpoint: chromium.wsEndpoint,
        protocolTimeout: Math.max(this.options.timeoutMs, 30_000) * 2,
        defaultViewport: null,
      })
    } catch (e) {
      await chromium.dispose()
      throw e
    }
    this.chromiums.set(browser, chromium)
    browser.once('disconnected', () => {
      debug('disconnected (slot %d)', slot)
      this.launching[slot] = undefined
      // A crashed or closed browser leaves no process and no profile folder behind.
      void chromium.dispose()
    })
    return browser
  }

  /** The process id of a browser this manager started (tests kill it to play a crash). */
  pidOf(browser: Browser): number | undefined {
    return this.chromiums.get(browser)?.child.pid
  }

  /** A fresh page with the network guard; the caller closes it (see withPage). */
  async newPage(slot = 0): Promise<Page> {
    const spare = this.spare[slot]
    this.spare[slot] = undefined
    const page = spare ? await spare.catch(() => undefined) : undefined
    return page && !page.isClosed() ? page : this.openPage(slot)
  }

  private async openPage(slot: number): Promise<Page> {
    const browser = await this.browser(slot)
    // A window per page: tabs of one window are hidden behind the front one, and a hidden page
    // renders no frames, so Marp's auto-scaling (and our wait for it) would stall in every job
    // but the newest (seen with two decks, or a warm page per deck in watch mode).
    const page = await browser.newPage({ type: 'window' })
    page.setDefaultTimeout(this.options.timeoutMs)
    await page.setRequestInterception(true)
    page.on('request', (req: HTTPRequest) => {
      const url = req.url()
      if (/^(data|about|blob):/.test(url) || (isLocalNavigation(url) && req.isNavigationRequest() && req.frame() === page.mainFrame())) {
        void req.continue()
        return
      }
      this.blockedRequests.push(url)
      debug('blocked request %s', url)
      void req.abort('blockedbyclient')
    })
    return page
  }

  async withPage<T>(fn: (page: Page) => Promise<T>, slot = 0): Promise<T> {
    const page = await this.newPage(slot)
    try {
      return await fn(page)
    } finally {
      await page.close().catch(() => {
        // The browser may have gone away already; nothing to clean up then.
      })
    }
  }

  /** Close every browser; safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true
    this.spare.splice(0)
    const all = this.launching.splice(0)
    await Promise.all(
      all.map(async (launching) => {
        const browser = await launching?.catch(() => undefined)
        if (!browser) return
        const chromium = this.chromiums.get(browser)
        // Browser.close asks Chromium to quit; if it has not exited within a second it is killed.
        await within(1000, browser.close().catch(() => undefined))
        if (chromium) {
          await within(1000, chromium.exited)
          await chromium.dispose()
        }
      }),
    )
  }
}

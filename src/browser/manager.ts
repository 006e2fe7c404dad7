import type { Browser, HTTPRequest, Page } from 'puppeteer-core'
import createDebug from '../util/debug.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { findBrowser, NO_BROWSER_HINT } from './find.js'
import { spawnChromium, type ChromiumProcess } from './spawn.js'
import { bounded, browserStep, crashed, whenUnresponsive } from './step.js'

const debug = createDebug('browser')

/** Opening a file or a page served on this machine (the preview, an output) is not the network. */
const isLocalNavigation = (url: string): boolean =>
  url.startsWith('file:') || /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//.test(url)

export interface BrowserOptions {
  /** Explicit executable; otherwise CHROME_PATH, then the usual install paths. */
  executablePath?: string
  /**
   * Timeout of one browser operation (launch, page, screenshot, close); operations on many slides
   * at once (load, print, checks) get more per slide (see stepTimeout).
   */
  timeoutMs: number
}

/** Wait for `p`, but no longer than `ms`; its failure is ignored. */
const within = (ms: number, p: Promise<unknown>): Promise<unknown> => bounded(ms, p, undefined)

/** The browser manager for a build's options (--browser-path, --browser-timeout). */
export function browserFor(options: { browserTimeoutMs: number; browserPath?: string }): BrowserManager {
  return new BrowserManager({
    timeoutMs: options.browserTimeoutMs,
    ...(options.browserPath ? { executablePath: options.browserPath } : {}),
  })
}

/**
 * The one owner of Chromium. The browser is launched lazily on first use and the launch is
 * memoised, so every deck and format of a build (and every rebuild in watch mode) shares it; it
 * is forgotten when it disconnects (a crash), so the next job relaunches it. Pages are opened per
 * job and closed in `finally`. No page may reach the network: everything a deck needs is inlined
 * before it gets here, so any other request is blocked and recorded.
 *
 * One process is enough: two windows of one Chromium take screenshots side by side as fast as
 * two Chromium processes, with one browser and GPU process less in memory.
 */
export class BrowserManager {
  private launching: Promise<Browser> | undefined
  /** The browser `launching` resolved to, so that an old one's disconnect cannot reset a newer launch. */
  private current: Browser | undefined
  private closed = false
  /** What we know of each browser we started: its process, and whether it is the headless shell. */
  private readonly launched = new Map<Browser, { process: ChromiumProcess; headlessShell: Promise<boolean> }>()
  /** Every process we started and have not seen removed yet, crashed ones included: close waits for them. */
  private readonly processes = new Set<ChromiumProcess>()
  /** A page opened ahead of need by warmUp. */
  private spare: Promise<Page> | undefined
  /** Requests that pages tried to make and were refused (should stay empty). */
  readonly blockedRequests: string[] = []

  constructor(private readonly options: BrowserOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /**
   * Start launching now (e.g. while decks render) without waiting, and open one page ahead: a
   * page's renderer process takes CPU time to start, which then overlaps the render
   * instead of delaying the first page load. `prepare` runs on that page once it is open (again
   * if called again); the first job to ask for a page gets it, prepared or not.
   */
  warmUp(prepare?: (page: Page) => Promise<unknown>): void {
    const opened = this.spare ?? this.openPage()
    // A failed preparation costs nothing but the time: the page is used as it is.
    const page = prepare ? opened.then(async (p) => (await prepare(p).catch(() => undefined), p)) : opened
    this.spare = page
    page.catch(() => {
      // The error is reported by the job that needs the browser.
      if (this.spare === page) this.spare = undefined
    })
  }

  /** The Chromium process, launched once. */
  browser(): Promise<Browser> {
    if (this.closed) return Promise.reject(new DeckError('browser manager is closed'))
    if (!this.launching) {
      const launching = this.launch().catch((e: unknown) => {
        this.launching = undefined
        throw e
      })
      this.launching = launching
    }
    return this.launching
  }

  private async launch(): Promise<Browser> {
    const executablePath = findBrowser(this.options.executablePath)
    debug('launch %s', executablePath)
    // The process starts now; puppeteer-core, slow to import, loads while Chromium starts.
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
    this.processes.add(chromium)
    void chromium.disposed.then(() => this.processes.delete(chromium))
    let browser: Browser
    try {
      browser = await browserStep({ stage: 'connecting to Chromium', timeoutMs: this.options.timeoutMs }, async () =>
        (await puppeteer).default.connect({
          browserWSEndpoint: chromium.wsEndpoint,
          // No protocol timeout: every operation has a deadline of its own that grows with the
          // deck (see step.ts), and puppeteer's would cut a big deck's print short in its own words.
          protocolTimeout: 0,
          defaultViewport: null,
        }),
      )
    } catch (e) {
      await chromium.dispose()
      throw e
    }
    // A browser that misses a deadline and does not answer a ping is killed (see browserStep).
    whenUnresponsive(browser, () => void chromium.dispose())
    // Full Chromium in headless mode names itself `Chrome/…`, the headless shell `HeadlessChrome/…`.
    const headlessShell = bounded(
      this.options.timeoutMs,
      browser.version().then((v) => v.startsWith('HeadlessChrome/')),
      false,
    )
    this.launched.set(browser, { process: chromium, headlessShell })
    this.current = browser
    browser.once('disconnected', () => {
      debug('disconnected')
      if (this.current === browser) {
        this.current = undefined
        this.launching = undefined
      }
      this.launched.delete(browser)
      // A crashed or closed browser leaves no process and no profile folder behind.
      void chromium.dispose()
    })
    return browser
  }

  /**
   * Whether the browser is Chromium's headless shell. Two windows shooting side by side pay off
   * only there; in full Chromium they are slower than one window and take more memory.
   */
  async isHeadlessShell(): Promise<boolean> {
    return (await this.launched.get(await this.browser())?.headlessShell) ?? false
  }

  /**
   * The process id of a browser this manager started, which leads its own process group (tests
   * kill the group to play a crash).
   */
  pidOf(browser: Browser): number | undefined {
    return this.launched.get(browser)?.process.child.pid
  }

  /** A fresh page with the network guard; the caller closes it (see withPage). */
  async newPage(): Promise<Page> {
    const spare = this.spare
    this.spare = undefined
    const page = spare ? await bounded(this.options.timeoutMs, spare, undefined) : undefined
    // A page of a browser that crashed since is no page (it need not know it is closed).
    return page && !page.isClosed() && page.browser().connected ? page : this.openPage()
  }

  /**
   * A new page, in a fresh browser if the one we had turns out to be gone (it crashed or was
   * killed between two builds, and its disconnect has not reached us yet): the next build
   * succeeds on the first try.
   */
  private async openPage(): Promise<Page> {
    const browser = await this.browser()
    try {
      return await this.openPageIn(browser)
    } catch (e) {
      // A browser that missed the deadline is not tried again: the deck fails, naming the stage.
      if (!crashed(browser, e)) throw e
      debug('browser gone, relaunching: %O', e)
      this.forget(browser)
      return this.openPageIn(await this.browser())
    }
  }

  /** Forget `browser` (gone) so that the next job launches a fresh one; its process is killed. */
  private forget(browser: Browser): void {
    if (this.current === browser) {
      this.current = undefined
      this.launching = undefined
    }
    void this.launched.get(browser)?.process.dispose()
  }

  private async openPageIn(browser: Browser): Promise<Page> {
    return browserStep({ stage: 'opening a page', timeoutMs: this.options.timeoutMs, browser }, async () => {
      // A window per page: tabs of one window are hidden behind the front one, and a hidden page
      // renders no frames, so Marp's auto-scaling (and our wait for it) would stall in every job
      // but the newest (seen with two decks, or a warm page per deck in watch mode).
      const page = await whileConnected(browser, browser.newPage({ type: 'window' }))
      try {
        await this.guard(page)
      } catch (e) {
        void within(this.options.timeoutMs, page.close())
        throw e
      }
      return page
    })
  }

  /** The page's deadline (the base of every step in it) and its network guard. */
  private async guard(page: Page): Promise<void> {
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
  }

  async withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    const page = await this.newPage()
    try {
      return await fn(page)
    } finally {
      // The browser may have gone away or be stuck; either way there is nothing more to wait for.
      await within(this.options.timeoutMs, page.close())
    }
  }

  /** Close the browser; safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true
    this.spare = undefined
    const browser = await this.launching?.catch(() => undefined)
    this.launching = undefined
    this.current = undefined
    const chromium = browser && this.launched.get(browser)?.process
    if (browser && chromium) {
      // Browser.close asks Chromium to quit; if it has not exited within a second it is killed.
      await within(1000, browser.close())
      await within(1000, chromium.exited)
    }
    // Every process and profile folder goes before we return, also of browsers that crashed or
    // were shut down on the way (their removal may still be running).
    await Promise.all([...this.processes].map((p) => p.dispose()))
  }
}

/**
 * `work`, or a rejection as soon as the browser disconnects: puppeteer's newPage waits for its
 * target even when the browser is gone (until the step's deadline), which would hold a watch
 * stopped during a page check until that deadline.
 */
function whileConnected<T>(browser: Browser, work: Promise<T>): Promise<T> {
  if (!browser.connected) {
    work.catch(() => undefined)
    return Promise.reject(new Error('the browser has disconnected'))
  }
  let onGone = (): void => {}
  const gone = new Promise<never>((_, reject) => {
    onGone = () => reject(new Error('the browser has disconnected'))
    browser.once('disconnected', onGone)
  })
  work.catch(() => undefined)
  return Promise.race([work, gone]).finally(() => browser.off('disconnected', onGone))
}

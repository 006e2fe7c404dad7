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
 *
 * One process is enough: two windows of one Chromium take screenshots side by side as fast as
 * two Chromium processes did (200-slide deck: 18.7 s against 21.8 s, one window alone 28.6 s),
 * with one browser and GPU process less in memory.
 */
export class BrowserManager {
  private launching: Promise<Browser> | undefined
  /** The browser `launching` resolved to, so that an old one's disconnect cannot reset a newer launch. */
  private current: Browser | undefined
  private closed = false
  /** What we know of each browser we started: its process, and whether it is the headless shell. */
  private readonly launched = new Map<Browser, { process: ChromiumProcess; headlessShell: Promise<boolean> }>()
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
   * page's renderer process takes ~100 ms of CPU to start, which then overlaps the render
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
    // Full Chromium in headless mode names itself `Chrome/…`, the headless shell `HeadlessChrome/…`.
    const headlessShell = browser.version().then((v) => v.startsWith('HeadlessChrome/'), () => false)
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
   * only there: seed deck, two windows against one, 2.5–2.8 s against 3.1 s in the shell, but
   * 3.88 s against 3.72 s (and +90 MB) in full Chromium.
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
    const page = spare ? await spare.catch(() => undefined) : undefined
    return page && !page.isClosed() ? page : this.openPage()
  }

  private async openPage(): Promise<Page> {
    const browser = await this.browser()
    // A window per page: tabs of one window are hidden behind the front one, and a hidden page
    // renders no frames, so Marp's auto-scaling (and our wait for it) would stall in every job
    // but the newest (seen with two decks, or a warm page per deck in watch mode).
    const page = await whileConnected(browser, browser.newPage({ type: 'window' }))
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

  async withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    const page = await this.newPage()
    try {
      return await fn(page)
    } finally {
      await page.close().catch(() => {
        // The browser may have gone away already; nothing to clean up then.
      })
    }
  }

  /** Close the browser; safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true
    this.spare = undefined
    const browser = await this.launching?.catch(() => undefined)
    this.launching = undefined
    if (!browser) return
    this.current = undefined
    const chromium = this.launched.get(browser)?.process
    // Browser.close asks Chromium to quit; if it has not exited within a second it is killed.
    await within(1000, browser.close().catch(() => undefined))
    if (chromium) {
      await within(1000, chromium.exited)
      await chromium.dispose()
    }
  }
}

/**
 * `work`, or a rejection as soon as the browser disconnects: puppeteer's newPage waits for its
 * target until the protocol timeout even when the browser is gone, which held a Ctrl-C'd watch
 * for 30 s when it came during a page check.
 */
function whileConnected<T>(browser: Browser, work: Promise<T>): Promise<T> {
  if (!browser.connected) {
    work.catch(() => undefined)
    return Promise.reject(new DeckError('the browser closed before the page opened'))
  }
  let onGone = (): void => {}
  const gone = new Promise<never>((_, reject) => {
    onGone = () => reject(new DeckError('the browser closed before the page opened'))
    browser.once('disconnected', onGone)
  })
  work.catch(() => undefined)
  return Promise.race([work, gone]).finally(() => browser.off('disconnected', onGone))
}

import puppeteer, { type Browser, type HTTPRequest, type Page } from 'puppeteer-core'
import createDebug from '../debug.js'
import { DeckError, ExitCode } from '../errors.js'
import { findBrowser, needsNoSandbox, NO_BROWSER_HINT } from './find.js'

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

/**
 * The one owner of Chromium. The browser is launched lazily on first use and the launch is
 * memoised, so every deck and format of a build (and every rebuild in watch mode) shares it; it
 * is forgotten when it disconnects (a crash), so the next job relaunches it. Pages are opened per
 * job and closed in `finally`. No page may reach the network: everything a deck needs is inlined
 * before it gets here, so any other request is blocked and recorded.
 */
export class BrowserManager {
  private launching: Promise<Browser> | undefined
  private closed = false
  /** Requests that pages tried to make and were refused (should stay empty). */
  readonly blockedRequests: string[] = []

  constructor(private readonly options: BrowserOptions) {}

  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /** Start launching now (e.g. while decks render) without waiting. */
  warmUp(): void {
    this.browser().catch(() => {
      // The error is reported by the job that needs the browser.
    })
  }

  browser(): Promise<Browser> {
    if (this.closed) return Promise.reject(new DeckError('browser manager is closed'))
    this.launching ??= this.launch().catch((e: unknown) => {
      this.launching = undefined
      throw e
    })
    return this.launching
  }

  private async launch(): Promise<Browser> {
    const executablePath = findBrowser(this.options.executablePath)
    const args = [
      // Headless Chromium otherwise phones home at start; the machine may have no network.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-extensions',
      '--mute-audio',
      '--hide-scrollbars',
      // Same glyph outlines on every machine, so PDFs and PNGs do not differ by host settings.
      '--font-render-hinting=none',
      '--disable-gpu',
      ...(needsNoSandbox() ? ['--no-sandbox', '--disable-setuid-sandbox'] : []),
    ]
    debug('launch %s %o', executablePath, args)
    let browser: Browser
    try {
      browser = await puppeteer.launch({
        executablePath,
        headless: true,
        args,
        timeout: this.options.timeoutMs,
        protocolTimeout: Math.max(this.options.timeoutMs, 30_000) * 2,
        // Our own shutdown handles signals: Ctrl-C in watch mode must close the browser once.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        defaultViewport: null,
      })
    } catch (e) {
      throw new DeckError(`could not launch ${executablePath}: ${(e as Error).message.split('\n')[0]}`, {
        code: ExitCode.NO_BROWSER,
        hint: NO_BROWSER_HINT,
        cause: e,
      })
    }
    browser.once('disconnected', () => {
      debug('disconnected')
      this.launching = undefined
    })
    return browser
  }

  /** A fresh page with the network guard; the caller closes it (see withPage). */
  async newPage(): Promise<Page> {
    const browser = await this.browser()
    const page = await browser.newPage()
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
    const launching = this.launching
    this.launching = undefined
    if (!launching) return
    const browser = await launching.catch(() => undefined)
    if (!browser) return
    await browser.close().catch(() => {
      // If the browser will not close, kill it: no Chromium may outlive us.
      browser.process()?.kill('SIGKILL')
    })
  }
}

import type { Browser, Page } from 'puppeteer-core'
import createDebug from '../util/debug.js'
import { DeckError } from '../util/errors.js'

/*
 * Every browser operation of a build runs through `browserStep`: it has a deadline, and whatever
 * goes wrong comes out as a DeckError that names the stage ("printing the PDF"), the deck and
 * what to do, never as puppeteer's own words ("Target closed", "Increase the 'protocolTimeout'").
 * Puppeteer's protocol timeout is off (see BrowserManager.launch): these deadlines bound the
 * operations instead, because they grow with the deck and puppeteer's cannot.
 */

const debug = createDebug('browser')

/**
 * Extra time per slide for an operation on many slides at once (loading the print page,
 * printing the PDF, the page checks), on top of --browser-timeout: about twice what the print,
 * the slowest of them, takes per slide on two busy cores, so that a big deck builds with the
 * defaults while a stuck browser is still found in proportion to the deck.
 */
export const PER_SLIDE_MS = 50

/** How long a browser that missed a deadline gets to answer a ping before it is shut down. */
const PING_MS = 2000

/** The deadline of an operation on `slides` slides at once, given --browser-timeout (`baseMs`). */
export function stepTimeout(baseMs: number, slides = 0): number {
  return baseMs + Math.max(0, slides) * PER_SLIDE_MS
}

export interface Step {
  /** What the browser is doing, as the user reads it after "while": "printing the PDF". */
  stage: string
  /** The deck it is done for; the error's location. */
  deck?: string
  timeoutMs: number
  /** The browser doing it: pinged when the deadline passes, shut down when it does not answer. */
  browser?: Browser
}

/** Shut-down functions of the browsers a manager started (see whenUnresponsive). */
const shutdowns = new WeakMap<Browser, () => void>()
/** Browsers shut down because they stopped answering, with the step that found it; later failures say so. */
const unresponsive = new WeakMap<Browser, Step>()

/** How to shut `browser` down when it misses a deadline and does not answer a ping. */
export function whenUnresponsive(browser: Browser, shutDown: () => void): void {
  shutdowns.set(browser, shutDown)
}

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`

/** `p`'s value, or `fallback` if it has not settled within `ms` (or failed). */
export async function bounded<T, F>(ms: number, p: Promise<T>, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms)
    timer.unref()
  })
  try {
    return await Promise.race([p.catch(() => fallback), late])
  } finally {
    clearTimeout(timer)
  }
}

class Timeout extends Error {}

/** Run `work` as `step`: within its deadline, with any failure turned into a DeckError. */
export async function browserStep<T>(step: Step, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), step.timeoutMs)
  })
  let running: Promise<T> | undefined
  try {
    running = work()
    return await Promise.race([running, deadline])
  } catch (e) {
    // What is still running fails later (the browser is shut down, or the page closed): no one listens.
    running?.catch(() => undefined)
    throw await translate(step, e)
  } finally {
    clearTimeout(timer)
  }
}

/** `browserStep` for an operation in `page` on `slides` slides at once; its deadline grows with them. */
export function pageStep<T>(page: Page, step: { stage: string; deck: string; slides?: number }, work: () => Promise<T>): Promise<T> {
  return browserStep({ ...step, timeoutMs: stepTimeout(page.getDefaultTimeout(), step.slides), browser: page.browser() }, work)
}

type Kind = 'timeout' | 'gone' | 'other'

/** Which of puppeteer's failures `e` is, by name and message (tests/reliability/browser.test.ts checks these against puppeteer). */
export function failureKind(e: unknown): Kind {
  if (e instanceof Timeout) return 'timeout'
  if (!(e instanceof Error)) return 'other'
  if (e.name === 'TimeoutError' || (e.name === 'ProtocolError' && /timed out/i.test(e.message))) return 'timeout'
  if (e.name === 'TargetCloseError' || e.name === 'ConnectionClosedError') return 'gone'
  if (
    /Target closed|Session closed|Connection closed|detached Frame|Navigating frame was detached|Execution context was destroyed|browser has disconnected|Page crashed/i.test(
      e.message,
    )
  )
    return 'gone'
  return 'other'
}

/**
 * Whether `e`, from a step on `browser`, says that the browser went away by itself (a crash, a
 * kill from outside) rather than missing a deadline or being shut down for it.
 */
export function crashed(browser: Browser, e: unknown): boolean {
  if (unresponsive.has(browser)) return false
  const kind = failureKind(e instanceof DeckError ? e.cause : e)
  return kind === 'gone' || (kind === 'other' && !browser.connected)
}

async function translate(step: Step, e: unknown): Promise<unknown> {
  if (e instanceof DeckError) return e
  const { browser } = step
  const location = step.deck ? { file: step.deck } : undefined
  const within = seconds(step.timeoutMs)
  let kind = failureKind(e)
  if (kind === 'other' && browser && !browser.connected) kind = 'gone'
  debug('%s failed (%s): %O', step.stage, kind, e)
  if (kind === 'timeout') {
    // A browser that does not even answer a ping is stuck (stopped, swapping): shut it down, so
    // that every other operation on it fails now instead of at its own deadline, and the next
    // build starts a fresh one.
    const answers = browser?.connected
      ? await bounded(
          PING_MS,
          browser.version().then(() => true),
          false,
        )
      : false
    if (browser && !answers && browser.connected) {
      unresponsive.set(browser, step)
      shutdowns.get(browser)?.()
    }
    return new DeckError(`${step.stage} did not finish within ${within}`, {
      ...(location ? { location } : {}),
      hint: answers
        ? `The deck may be too heavy for the time allowed: raise --browser-timeout (operations on many slides at once get ${PER_SLIDE_MS} ms more per slide).`
        : 'Chromium stopped answering (stopped, or the machine is out of memory or very busy) and was shut down; the next build starts a fresh one. On a busy machine, raise --browser-timeout.',
      cause: e,
    })
  }
  const stuck = browser && unresponsive.get(browser)
  if (kind === 'gone' && stuck) {
    return new DeckError(`${step.stage} did not finish: Chromium had not answered for ${seconds(stuck.timeoutMs)} and was shut down`, {
      ...(location ? { location } : {}),
      hint: 'Chromium may have been stopped, or the machine is out of memory or very busy; the next build starts a fresh one. On a busy machine, raise --browser-timeout.',
      cause: e,
    })
  }
  if (kind === 'gone') {
    return new DeckError(`Chromium closed (it crashed or was killed) while ${step.stage}`, {
      ...(location ? { location } : {}),
      hint: 'Build again: the next build starts a fresh Chromium. If it keeps happening, the machine may be short of memory.',
      cause: e,
    })
  }
  // Chromium's own reason, without puppeteer's "Protocol error (Page.printToPDF): " before it.
  const reason = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/^Protocol error \([^)]*\): /, '')
  return new DeckError(`${step.stage} failed in Chromium: ${reason}`, {
    ...(location ? { location } : {}),
    hint: 'Run again with DEBUG=deck:browser to see the whole error.',
    cause: e,
  })
}

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import createDebug from '../util/debug.js'
import { DeckError, type ExitCode, type Location } from '../util/errors.js'
import type { RenderedDeck } from './render.js'
import { renderSettingsOf, type RenderSettings } from './settings.js'

const debug = createDebug('render')

/**
 * The decks of a one-shot build (`deck build`, `deck lint`), rendered in a worker thread while
 * the main thread starts the browser stage.
 *
 * Why: the render is synchronous (marp-core, shiki compiling its grammars) and slow when cold. On
 * the main thread it also holds up puppeteer, which needs that thread to send its commands, so
 * Chromium, launched by then, would sit idle until the render ended. In a worker
 * the main thread meanwhile loads the browser stage, opens pages and loads axe-core into them.
 * Watch mode keeps its render in-process, where its caches stay warm from save to save.
 *
 * Decks render one after another in the order given; the worker ends after the last (its heap
 * is freed for the browser stage).
 */
/** What a worker needs to render: the project (its root and theme set) and the render settings. */
export interface RenderAheadOptions extends RenderSettings {
  root: string
  themeSets: string[]
}

/** What the worker gets. */
export interface RenderJob extends RenderAheadOptions {
  files: string[]
}

/** An error as it crosses the thread: DeckError's fields survive, so the CLI prints it the same. */
export interface WireError {
  message: string
  stack?: string
  deck?: { code: ExitCode; location?: Location; hint?: string }
}

export type RenderReply = { file: string; deck: RenderedDeck } | { file: string; error: WireError }

/** The worker stopped without answering for a deck: that deck is rendered on this thread instead. */
class WorkerGone extends Error {}

function fromWire(e: WireError): Error {
  if (e.deck) {
    const { code, location, hint } = e.deck
    return new DeckError(e.message, { code, ...(location ? { location } : {}), ...(hint ? { hint } : {}) })
  }
  const error = new Error(e.message)
  if (e.stack) error.stack = e.stack
  return error
}

export class RenderAhead {
  /** Each deck's render, until the build takes it. */
  private readonly untaken = new Map<string, Promise<RenderedDeck>>()
  /** Settles a deck's render, taken or not, on the worker's answer (or its end). */
  private readonly settlers = new Map<string, (r: RenderReply | WorkerGone) => void>()

  private constructor(
    private readonly worker: Worker,
    files: readonly string[],
  ) {
    for (const file of new Set(files)) {
      let settle!: (r: RenderReply | WorkerGone) => void
      const promise = new Promise<RenderedDeck>((resolve, reject) => {
        settle = (r) => {
          if (r instanceof WorkerGone) reject(r)
          else if ('deck' in r) resolve(r.deck)
          else reject(fromWire(r.error))
        }
      })
      // Taken (and its rejection handled) by the build; until then a failure must not go unhandled.
      promise.catch(() => undefined)
      this.untaken.set(file, promise)
      this.settlers.set(file, settle)
    }
    worker.on('message', (reply: RenderReply) => this.settlers.get(reply.file)?.(reply))
    // Settling twice does nothing, so this only reaches the decks the worker never answered for.
    const gone = (why: string) => {
      for (const settle of this.settlers.values()) settle(new WorkerGone(why))
    }
    worker.on('error', (e) => {
      debug('render worker failed: %O', e)
      gone(e.message)
    })
    worker.on('exit', () => gone('the render worker exited'))
  }

  /**
   * Start rendering `files` in a worker. Undefined when the compiled worker is not there (tests
   * that run the TypeScript sources; theirs pass `entry`, the worker in lib/): the caller then
   * renders on its own thread.
   */
  static start(
    options: RenderAheadOptions,
    files: readonly string[],
    entry = new URL('./worker.js', import.meta.url),
  ): RenderAhead | undefined {
    if (files.length === 0 || !existsSync(fileURLToPath(entry))) return undefined
    // Only what the render needs crosses the thread, not the whole build's options.
    const job: RenderJob = { root: options.root, themeSets: options.themeSets, ...renderSettingsOf(options), files: [...files] }
    return new RenderAhead(new Worker(entry, { workerData: job }), files)
  }

  /**
   * The render of `file`, once (a second call renders anew). A deck the worker never answered
   * for (it crashed) is rendered with `here` instead.
   */
  take(file: string, here: () => Promise<RenderedDeck>): Promise<RenderedDeck> {
    const promise = this.untaken.get(file)
    if (!promise) return here()
    this.untaken.delete(file)
    return promise.catch((e: unknown) => {
      if (!(e instanceof WorkerGone)) throw e
      debug('%s: rendering on the main thread (%s)', file, e.message)
      return here()
    })
  }

  async close(): Promise<void> {
    await this.worker.terminate()
  }
}

import { setTimeout as sleep } from 'node:timers/promises'
import type { WatchEvents, DeckBuild } from '../../src/watch/watcher.js'

/** Everything a watcher reported, in order, with helpers to wait for what a test expects. */
export class EventLog {
  readonly starts: string[] = []
  readonly html: DeckBuild[] = []
  readonly browser: DeckBuild[] = []
  readonly removed: Array<{ deck: string; files: string[] }> = []
  readonly errors: Array<{ error: unknown; file?: string }> = []
  /** Every event as `kind:deck`, in the order they came. */
  readonly order: string[] = []
  /** Called at the start of each build (a test can act mid-build). */
  onStart: ((deck: string) => void) | undefined

  readonly events: WatchEvents = {
    onBuildStart: (deck) => {
      this.starts.push(deck)
      this.order.push(`start:${deck}`)
      this.onStart?.(deck)
    },
    onHtml: (b) => {
      this.html.push(b)
      this.order.push(`html:${b.deck}`)
    },
    onBrowserOutputs: (b) => {
      this.browser.push(b)
      this.order.push(`browser:${b.deck}`)
    },
    onRemoved: (deck, files) => {
      this.removed.push({ deck, files })
      this.order.push(`removed:${deck}`)
    },
    onError: (error, file) => {
      this.errors.push({ error, ...(file ? { file } : {}) })
      this.order.push(`error:${file ?? ''}`)
    },
  }

  /** A mark to count events after. */
  mark(): { starts: number; html: number; browser: number; removed: number; errors: number } {
    return {
      starts: this.starts.length,
      html: this.html.length,
      browser: this.browser.length,
      removed: this.removed.length,
      errors: this.errors.length,
    }
  }
}

/** Poll until `check` passes (it throws or returns false until then); fails after `timeoutMs`. */
export async function until<T>(
  check: () => T | false | undefined | Promise<T | false | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== false && v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`)
    await sleep(20)
  }
}

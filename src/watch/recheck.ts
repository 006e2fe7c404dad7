import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'

/*
 * chokidar does not report every write. It emits at most one `change` per file in 50 ms and
 * drops the others with no trailing event (chokidar 4.0.3, `FSWatcher._emit`:
 * `_throttle(EV.CHANGE, path, 50)`), and it skips a file's watch events that come within 5 ms of
 * the one before (`NodeFsHandler._handleFile`, `THROTTLE_MODE_WATCH`). The last saves of a burst
 * can thus go unreported, and the outputs stay at an older save for good.
 *
 * So an event is not the last word on a file. The watcher notes what a file holds when it acts on
 * it (just before the build reads it) and looks again once the file has been quiet for longer
 * than chokidar's windows: other bytes then are a change that chokidar did not report.
 */

export const RECHECK_MS = 100

export class Recheck {
  /** What each file held when last noted (undefined: it did not exist). */
  private readonly noted = new Map<string, string | undefined>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private looking = 0

  constructor(
    private readonly changed: (file: string) => void,
    private readonly delayMs = RECHECK_MS,
  ) {}

  /** Note what `file` holds now, as the work about to read it will see it. */
  async note(file: string): Promise<void> {
    this.noted.set(file, await digest(file))
  }

  /** Look at `file` again `delayMs` from now; a later call moves the look later. */
  later(file: string): void {
    clearTimeout(this.timers.get(file))
    this.timers.set(
      file,
      setTimeout(() => {
        this.timers.delete(file)
        void this.look(file)
      }, this.delayMs),
    )
  }

  forget(file: string): void {
    clearTimeout(this.timers.get(file))
    this.timers.delete(file)
    this.noted.delete(file)
  }

  /** Looks scheduled or under way. */
  get pending(): number {
    return this.timers.size + this.looking
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.noted.clear()
  }

  private async look(file: string): Promise<void> {
    if (!this.noted.has(file)) return
    this.looking += 1
    try {
      const now = await digest(file)
      if (!this.noted.has(file) || now === this.noted.get(file)) return
      this.noted.set(file, now)
      this.changed(file)
    } finally {
      this.looking -= 1
    }
  }
}

/** A digest of the file's bytes; undefined when it cannot be read (gone, or mid-rename). */
async function digest(file: string): Promise<string | undefined> {
  try {
    return createHash('sha1')
      .update(await readFile(file))
      .digest('hex')
  } catch {
    return undefined
  }
}

import { readdir } from 'node:fs/promises'
import path from 'node:path'

/*
 * The outputs watch mode wrote, per deck and lane, so that it notices when they vanish (`rm -rf
 * dist`, a deleted PDF) and builds them again without waiting for a save. chokidar cannot tell:
 * the output folder is not watched (our own writes there would trigger builds), and a watched
 * folder that is removed is not watched again when it comes back. So the watcher looks every
 * OUTPUT_CHECK_MS, at the cost of one `readdir` per output folder.
 */

export const OUTPUT_CHECK_MS = 500

export class WrittenOutputs {
  private readonly decks = new Map<string, Map<string, readonly string[]>>()

  /** What a lane (`html`, `browser`) last wrote for `deck`, replacing what it wrote before. */
  record(deck: string, lane: string, files: readonly string[]): void {
    // A new map each time, so a look that started before this record can tell it is stale.
    const lanes = new Map(this.decks.get(deck))
    lanes.set(lane, files)
    this.decks.set(deck, lanes)
  }

  forget(deck: string): void {
    this.decks.delete(deck)
  }

  /**
   * Decks (not `busy`) that miss an output they had. They are forgotten: the build that puts
   * them back records them again, and a deck that now fails is not asked for again and again.
   */
  async vanished(busy: (deck: string) => boolean): Promise<string[]> {
    const listings = new Map<string, Promise<Set<string>>>()
    const list = (dir: string) => {
      let names = listings.get(dir)
      if (!names) {
        names = readdir(dir).then(
          (n) => new Set(n),
          () => new Set<string>(),
        )
        listings.set(dir, names)
      }
      return names
    }
    const out: string[] = []
    for (const [deck, lanes] of this.decks) {
      if (busy(deck)) continue
      const files = [...lanes.values()].flat()
      const present = await Promise.all(files.map(async (f) => (await list(path.dirname(f))).has(path.basename(f))))
      if (present.every(Boolean)) continue
      // A build may have started or ended while the folders were read: it writes its own outputs.
      if (busy(deck) || this.decks.get(deck) !== lanes) continue
      this.decks.delete(deck)
      out.push(deck)
    }
    return out
  }
}

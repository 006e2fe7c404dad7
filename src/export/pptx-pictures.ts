import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { removeOnExit } from '../util/atomic-write.js'

/**
 * The PPTX's slide pictures, kept in a temp folder from the shot to the packing: otherwise a big
 * deck's PNGs would sit in Node while Chromium is still shooting, at the build's peak of memory.
 * Read back one by one when the package is written, once Chromium is done.
 */
export class PictureStore {
  private readonly writes = new Map<number, Promise<void>>()

  /** Forgets the folder for the exit hook once it is removed. */
  private readonly removed: () => void

  private constructor(private readonly dir: string) {
    // Ctrl-C mid-build exits at once (see withBuilder): the folder goes with the process.
    this.removed = removeOnExit(dir)
  }

  static async create(): Promise<PictureStore> {
    return new PictureStore(await mkdtemp(path.join(os.tmpdir(), 'deck-pictures-')))
  }

  /** Keep the picture of `slide` (0-based); a later one for the same slide replaces it. */
  put(slide: number, png: Uint8Array): void {
    const previous = this.writes.get(slide) ?? Promise.resolve()
    const write = previous.catch(() => undefined).then(() => writeFile(this.file(slide), png))
    write.catch(() => undefined) // reported by get()
    this.writes.set(slide, write)
  }

  /** The picture of `slide`, or undefined when none was taken. */
  async get(slide: number): Promise<Uint8Array | undefined> {
    const write = this.writes.get(slide)
    if (!write) return undefined
    await write
    return readFile(this.file(slide))
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.writes.values())
    await rm(this.dir, { recursive: true, force: true })
    this.removed()
  }

  private file(slide: number): string {
    return path.join(this.dir, `${slide}.png`)
  }
}

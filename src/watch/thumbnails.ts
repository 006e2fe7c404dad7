import { createHash } from 'node:crypto'
import { pageContent } from '../browser/page-content.js'
import type { Builder } from '../pipeline/builder.js'
import type { RenderedDeck } from '../render/render.js'
import createDebug from '../util/debug.js'

const debug = createDebug('watch')

/** Width in pixels of a thumbnail (a quarter of a 1280-pixel slide). */
export const THUMBNAIL_WIDTH = 320

export interface Thumbnail {
  png: Uint8Array
  /** Hash of what the first slide's picture depends on: its markup and the deck's frame (CSS, fonts, size). */
  hash: string
}

/**
 * The dashboard's picture of each deck's first slide, taken from the deck's warm print page after
 * its outputs are written. A save that leaves the first slide and the deck's CSS as they were
 * takes no new picture.
 */
export class Thumbnails {
  private readonly taken = new Map<string, string>()

  constructor(private readonly builder: Builder) {}

  /** A new thumbnail of `deck`, or undefined when its first slide looks as last time (or cannot be shot). */
  async take(deck: RenderedDeck): Promise<Thumbnail | undefined> {
    const content = pageContent(deck)
    if (!content?.slides.length) return undefined
    const hash = createHash('sha1').update(content.frame.join('\n')).update('\n').update(content.slides[0]!).digest('hex').slice(0, 16)
    if (this.taken.get(deck.file) === hash) return undefined
    try {
      const png = await this.builder.thumbnail(deck, THUMBNAIL_WIDTH)
      if (!png) return undefined
      this.taken.set(deck.file, hash)
      return { png, hash }
    } catch (e) {
      // Only the dashboard's picture is at stake: the next build tries again.
      debug('no thumbnail of %s: %O', deck.file, e)
      return undefined
    }
  }

  forget(file: string): void {
    this.taken.delete(file)
  }
}

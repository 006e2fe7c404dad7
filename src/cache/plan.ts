import { browserVersion } from '../browser/version.js'
import { needsBrowser } from '../config/options.js'
import { checkShard, type Shard } from '../config/shard.js'
import { shardOf } from '../pipeline/decks.js'
import type { DeckReport } from '../pipeline/report.js'
import type { Settings } from '../pipeline/settings.js'
import { BuildCache } from './build-cache.js'

/** What a build does with the decks it found: its shard's, less those up to date. */
export interface BuildPlan {
  /** The decks to build, in order. */
  stale: string[]
  /** Decks of this shard that are up to date, with their reports from the manifest. */
  upToDate: Map<string, DeckReport>
  /** Records what the build made (undefined for a build to one file). */
  cache: BuildCache | undefined
  /**
   * Whether the build shoots each deck's thumbnail: with --index, when there is a browser. An
   * HTML-only build needs none otherwise, so without one its index has no pictures rather than
   * failing.
   */
  thumbnails: boolean
}

export interface PlanOptions {
  /** Rebuild every deck, up to date or not (the manifest is still written). */
  force?: boolean
  shard?: Shard
  /** The build writes an index page, which shows thumbnails: a deck built without one is not up to date. */
  index: boolean
}

export async function planBuild(settings: Settings, decks: readonly string[], opts: PlanOptions): Promise<BuildPlan> {
  const mine = opts.shard ? shardOf(decks, settings.root, checkShard(opts.shard)) : [...decks]
  const { build } = settings
  const thumbnails = opts.index && (needsBrowser(build.formats) || (await browserVersion(build.browserPath)) !== 'none')
  const cache = await BuildCache.open(build, settings.resolved.lint, { thumbnails, writeEmpty: opts.shard !== undefined })
  const upToDate = cache && !opts.force ? await cache.upToDate(mine) : new Map<string, DeckReport>()
  return { stale: mine.filter((d) => !upToDate.has(d)), upToDate, cache, thumbnails }
}

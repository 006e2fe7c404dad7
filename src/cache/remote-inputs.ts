import { fetchPolicyOf, type FetchPolicy } from '../access/policy.js'
import { defaultRemoteCacheDir, RemoteCache } from '../access/remote-cache.js'
import type { BuildOptions } from '../pipeline/types.js'
import { WEB_FONT_ACCEPT, type WebFontKind, type WebFontRead } from '../render/webfonts.js'
import createDebug from '../util/debug.js'

const debug = createDebug('cache')

/*
 * A theme's web fonts as inputs of a deck. The render embeds each font CSS and font file through
 * the RemoteCache and reports the sha256 of the body it used; the manifest lists it as
 * `remote:<kind>:<url>` (never a root-relative path: those hold no `://`). To check it, the
 * build asks the RemoteCache the same question (the URL, the kind's `accept`, the build's
 * policy): a disk hit, or a fetch when the build may fetch. What cannot be had (offline and not
 * cached, refused, an error) is no hash, so the deck is rebuilt and reports the problem. The
 * cache folder is the one the render uses; its key includes `allowPrivateNetwork`.
 */

const PREFIX = 'remote:'
const NAME = /^remote:(css|font):(.+)$/s

/** A web-font resource's name among a deck's inputs. */
export const remoteInputName = (read: Pick<WebFontRead, 'kind' | 'url'>): string => `${PREFIX}${read.kind}:${read.url}`

export const isRemoteInput = (name: string): boolean => name.startsWith(PREFIX)

/** The kind and URL an input name stands for, if it names a web-font resource. */
export function parseRemoteInput(name: string): { kind: WebFontKind; url: string } | undefined {
  const m = NAME.exec(name)
  return m ? { kind: m[1] as WebFontKind, url: m[2]! } : undefined
}

/** The web-font inputs of a build's decks, checked through the RemoteCache the renders use. */
export class RemoteInputs {
  private readonly cache: RemoteCache
  private readonly policy: FetchPolicy

  constructor(options: BuildOptions) {
    this.cache = new RemoteCache(options.cacheDir ?? defaultRemoteCacheDir(options.root))
    this.policy = fetchPolicyOf(options)
  }

  /** The sha256 of the body the RemoteCache gives for the input now; null when it cannot be had. */
  async hashOf(name: string): Promise<string | null> {
    const input = parseRemoteInput(name)
    if (!input) return null
    try {
      return (await this.cache.get(input.url, this.policy, WEB_FONT_ACCEPT[input.kind])).sha256
    } catch (e) {
      debug('%s: %O', name, e)
      return null
    }
  }
}

import type { Stats } from 'node:fs'
import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { BoundedCache, memoByKey } from '../util/memo.js'
import { NEVER_READ, type AccessPolicy, type Refusal } from './policy.js'
import { KIND_WORDS, sniffMedia, type MediaKind } from './sniff.js'

/*
 * The local-file policy (see policy.ts), the one gate for every way a deck names a file:
 * Markdown images and backgrounds, `--html` tags and inline styles, `url()` in styles, and
 * `theme:` paths all come through `checkLocalFile` or `readLocalMedia`.
 */

export type LocalCheck = { kind: 'ok'; real: string; info: Stats } | { kind: 'missing' } | { kind: 'refused'; refusal: Refusal }

export const isInside = (file: string, dir: string): boolean =>
  file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)

const neverRead = (file: string): string | undefined => NEVER_READ.find((dir) => isInside(file, dir))

/** A root's real path, or undefined when it does not exist (roots are the project's folders). */
const realRoot = memoByKey(
  (root: string) => realpath(root).catch(() => undefined),
  (root) => root,
  64,
)

export const OUTSIDE_HINT =
  'Only files inside the project and its theme folders are embedded. Move the file into the project, or build with --allow-local-files if you trust this deck.'

/** Whether the policy lets a deck read `file`: its real path when it does. */
export async function checkLocalFile(file: string, policy: Pick<AccessPolicy, 'roots' | 'allowLocalFiles'>): Promise<LocalCheck> {
  const named = neverRead(path.resolve(file))
  if (named) return refused(`it is in ${named}, which holds the machine's state and is never read`)
  const real = await realpath(file).catch(() => undefined)
  if (!real) return { kind: 'missing' }
  const system = neverRead(real)
  if (system) return refused(`it leads to ${real}, in ${system}, which is never read`)
  const info = await stat(real).catch(() => undefined)
  if (!info) return { kind: 'missing' }
  if (!info.isFile()) return refused('it is not a regular file', 'Link a file; folders, pipes and devices are never read.')
  if (!policy.allowLocalFiles) {
    const roots = await Promise.all(policy.roots.map(realRoot))
    if (!roots.some((root) => root !== undefined && isInside(real, root))) {
      const where = real === path.resolve(file) ? 'it is outside the project' : `it leads to ${real}, outside the project`
      return refused(where, OUTSIDE_HINT)
    }
  }
  return { kind: 'ok', real, info }
}

function refused(reason: string, hint = 'Nothing in /proc, /sys or /dev is embedded, even with --allow-local-files.'): LocalCheck {
  return { kind: 'refused', refusal: { reason, hint } }
}

export type LocalMedia = { kind: 'ok'; real: string; uri: string } | Exclude<LocalCheck, { kind: 'ok' }>

/** Files read, by real path: their data URI, or undefined when their bytes are not a kind asked for. */
export type MediaCache = BoundedCache<{ mtimeMs: number; size: number; uri: string | undefined }>

/**
 * A local file as a data URI, when the policy allows reading it and its bytes are one of `kinds`
 * (an image named `.png` that is really `/etc/passwd` is refused, whatever the policy).
 */
export async function readLocalMedia(
  file: string,
  policy: Pick<AccessPolicy, 'roots' | 'allowLocalFiles'>,
  kinds: readonly MediaKind[],
  cache: MediaCache,
): Promise<LocalMedia> {
  const check = await checkLocalFile(file, policy)
  if (check.kind !== 'ok') return check
  const { real, info } = check
  let hit = cache.peek(real)
  if (!hit || hit.mtimeMs !== info.mtimeMs || hit.size !== info.size) {
    const bytes = await readFile(real)
    const mime = await sniffMedia(bytes, kinds)
    hit = { mtimeMs: info.mtimeMs, size: info.size, uri: mime ? `data:${mime};base64,${bytes.toString('base64')}` : undefined }
    cache.set(real, hit)
  }
  if (!hit.uri) {
    const what = kinds.map((k) => KIND_WORDS[k]).join(' or ')
    return {
      kind: 'refused',
      refusal: { reason: `it is not ${what} (its bytes say otherwise)`, hint: `Link ${what} file; other files are never embedded.` },
    }
  }
  return { kind: 'ok', real, uri: hit.uri }
}

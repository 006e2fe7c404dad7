/**
 * What a deck may reach while it renders. Decks, themes and URLs are treated as written by a
 * stranger: a deck in a pull request must not be able to copy a file of the machine that builds
 * it into a published HTML, nor make the build fetch an internal address.
 *
 * - Local files are read only from inside the allowed folders (the project root, the theme set's
 *   folders, the folder of a deck named outside the project), after symlinks are resolved, and
 *   only when their bytes are what they claim. `allowLocalFiles` (marp-cli's
 *   `--allow-local-files`) widens that to the whole disk for trusted decks.
 * - `/proc`, `/sys` and `/dev` are never read.
 * - Remote URLs are fetched only over http(s), from public addresses (not loopback, link-local,
 *   private or unique-local ranges) unless `allowPrivateNetwork`, up to `maxRemoteBytes`, within
 *   `remoteTimeoutMs`, and only when the answer is the kind of resource asked for.
 */
export interface AccessPolicy {
  /** Folders local files may come from (resolved to real paths when checked). */
  roots: readonly string[]
  /** Any local file may be read (but /proc, /sys, /dev). */
  allowLocalFiles: boolean
  /** Fetch remote resources at all; false keeps a build offline. */
  fetchRemote: boolean
  /** Remote URLs may resolve to loopback, link-local and private addresses. */
  allowPrivateNetwork: boolean
  /** Largest remote resource embedded, in bytes. */
  maxRemoteBytes: number
  /** Longest wait for one remote resource. */
  remoteTimeoutMs: number
}

/** Folders that hold the machine's state rather than files, never read whatever the policy. */
export const NEVER_READ = ['/proc', '/sys', '/dev'] as const

export const DEFAULT_MAX_REMOTE_BYTES = 20 * 2 ** 20

/** What fetching a remote resource needs of a policy (the RemoteCache: the render, the build cache's check). */
export type FetchPolicy = Pick<AccessPolicy, 'fetchRemote' | 'allowPrivateNetwork' | 'maxRemoteBytes' | 'remoteTimeoutMs'>

/** The fetch part of the policy of a render's (or a build's) settings, defaults filled in. */
export function fetchPolicyOf(s: {
  fetchRemote: boolean
  remoteTimeoutMs: number
  allowPrivateNetwork?: boolean
  maxRemoteBytes?: number
}): FetchPolicy {
  return {
    fetchRemote: s.fetchRemote,
    allowPrivateNetwork: s.allowPrivateNetwork ?? false,
    maxRemoteBytes: s.maxRemoteBytes ?? DEFAULT_MAX_REMOTE_BYTES,
    remoteTimeoutMs: s.remoteTimeoutMs,
  }
}

/** Why a resource was left out, and what the user can do about it. */
export interface Refusal {
  reason: string
  hint: string
}

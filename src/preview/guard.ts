import { realpath, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/*
 * What the preview server may answer. It serves one folder (dist/) and nothing else: a request
 * path is decoded once, any `..`, backslash or NUL is refused before the path is joined, the
 * joined path must stay inside the root, and so must the real path after symlinks. Dotfiles
 * (our own `.x.tmp-…` files among them) are never served. A Host header that is not the
 * address we listen on is refused, which defeats DNS rebinding: a page on evil.example whose
 * name now resolves to 127.0.0.1 still sends `Host: evil.example`.
 */

export type Resolved = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404 }

const inside = (file: string, dir: string): boolean => file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep)

export async function resolveRequestPath(root: string, rawUrl: string): Promise<Resolved> {
  const rawPath = rawUrl.split(/[?#]/, 1)[0] ?? ''
  if (!rawPath.startsWith('/')) return { ok: false, status: 400 }
  if (rawPath.includes('\\') || /%5c/i.test(rawPath)) return { ok: false, status: 403 }
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return { ok: false, status: 400 }
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 403 }
  const segments = decoded.split('/').slice(1)
  if (segments.some((s) => s === '..' || s === '.')) return { ok: false, status: 403 }
  if (segments.some((s) => s.startsWith('.'))) return { ok: false, status: 404 }

  const base = path.resolve(root)
  const target = path.resolve(base, ...segments)
  if (!inside(target, base)) return { ok: false, status: 403 }
  let real: string
  let realRoot: string
  try {
    ;[real, realRoot] = await Promise.all([realpath(target), realpath(base)])
  } catch {
    return { ok: false, status: 404 }
  }
  if (!inside(real, realRoot)) return { ok: false, status: 403 }
  const info = await stat(real).catch(() => null)
  if (!info?.isFile()) return { ok: false, status: 404 }
  return { ok: true, file: real }
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]']
const ANY = new Set(['0.0.0.0', '::', '[::]'])

const bracket = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host)

/** Host names a request may carry: loopback, the bound address, and for 0.0.0.0 every local address. */
export function allowedHosts(boundHost: string): Set<string> {
  const out = new Set(LOOPBACK)
  const bound = bracket(boundHost.toLowerCase())
  if (ANY.has(boundHost) || ANY.has(bound)) {
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) out.add(bracket(a.address.toLowerCase()))
    }
    const name = os.hostname().toLowerCase()
    out.add(name)
    out.add(`${name}.local`)
  } else {
    out.add(bound)
  }
  return out
}

/** The host name of a `Host` header (`name`, `name:port`, `[v6]:port`), lower case; undefined if malformed. */
export function hostnameOf(header: string | undefined): string | undefined {
  if (!header || /[\s/@?#\\]/.test(header)) return undefined
  try {
    return new URL(`http://${header}`).hostname.toLowerCase()
  } catch {
    return undefined
  }
}

export function hostAllowed(header: string | undefined, allowed: Set<string>): boolean {
  const name = hostnameOf(header)
  return name !== undefined && allowed.has(name)
}

/** The reload channel only talks to pages we served: same allowed host and our port. */
export function originAllowed(origin: string | undefined, allowed: Set<string>, port: number): boolean {
  if (!origin) return false
  try {
    const url = new URL(origin)
    const urlPort = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
    return (url.protocol === 'http:' || url.protocol === 'https:') && allowed.has(url.hostname.toLowerCase()) && urlPort === port
  } catch {
    return false
  }
}

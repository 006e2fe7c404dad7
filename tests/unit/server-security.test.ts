import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { PreviewServer } from '../../src/preview/server.js'
import { hostnameOf, resolveRequestPath } from '../../src/preview/guard.js'

// Raw requests over a socket: an HTTP client library would normalise `..`, backslashes and
// encodings away before they reach the server, which is exactly what an attacker does not do.
async function raw(port: number, request: string): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request))
    let data = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      data += chunk
      // An accepted WebSocket upgrade keeps the socket open: the status line is all we need.
      if (data.startsWith('HTTP/1.1 101') && data.includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n')
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body })
    })
    socket.on('error', reject)
  })
}

const get = (port: number, target: string, host = `127.0.0.1:${port}`) =>
  raw(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)

const upgrade = (port: number, origin: string | undefined, host = `127.0.0.1:${port}`) =>
  raw(
    port,
    `GET /__deck/ws HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
      `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
      (origin ? `Origin: ${origin}\r\n` : '') +
      '\r\n',
  )

let base: string
let dist: string

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'deck-sec-'))
  dist = path.join(base, 'dist')
  await mkdir(path.join(dist, 'talks'), { recursive: true })
  await writeFile(path.join(dist, 'a.html'), '<!DOCTYPE html><html><body><p>deck a</p></body></html>')
  await writeFile(path.join(dist, 'talks', 'b.pdf'), '%PDF-1.7 fake')
  await writeFile(path.join(dist, '.secret'), 'dotfile')
  await writeFile(path.join(dist, '.a.html.tmp-1-abcd'), 'temp')
  // Siblings of the root, one whose name starts with the root's name.
  await mkdir(path.join(base, 'dist-private'))
  await writeFile(path.join(base, 'dist-private', 'key.txt'), 'sibling secret')
  await writeFile(path.join(base, 'outside.txt'), 'outside secret')
  await symlink(path.join(base, 'outside.txt'), path.join(dist, 'link.txt'))
  await symlink(path.join(base, 'dist-private'), path.join(dist, 'linkdir'))
  await symlink(path.join(dist, 'a.html'), path.join(dist, 'inner-link.html'))
})

afterAll(async () => {
  await rm(base, { recursive: true, force: true })
})

describe('preview server security (raw HTTP)', () => {
  let server: PreviewServer
  let port: number

  const start = async (host?: string) => {
    server = new PreviewServer({
      root: dist,
      port: 0,
      ...(host ? { host } : {}),
      index: () => [{ name: 'slides/a.md', outputs: [path.join(dist, 'a.html')], failed: false }],
    })
    const url = await server.start()
    port = Number(new URL(url).port)
    return url
  }

  afterEach(async () => {
    await server.close()
  })

  it('binds to 127.0.0.1 by default and serves dist/ files, index and deck pages with the client', async () => {
    const url = await start()
    expect(new URL(url).hostname).toBe('127.0.0.1')
    const page = await get(port, '/a.html')
    expect(page.status).toBe(200)
    expect(page.body).toContain('deck a')
    expect(page.body).toContain('/__deck/ws')
    expect((await get(port, '/talks/b.pdf')).body).toBe('%PDF-1.7 fake')
    const index = await get(port, '/')
    expect(index.status).toBe(200)
    // The dashboard draws the decks from JSON in the page.
    expect(index.body).toContain('"page":"/a.html"')
    expect(index.body).toContain('slides/a.md')
    // A symlink that stays inside the root is fine.
    expect((await get(port, '/inner-link.html')).status).toBe(200)
  })

  it.each([
    ['encoded slashes', '/..%2F..%2Fetc%2Fpasswd'],
    ['encoded dots', '/%2e%2e/%2e%2e/etc/passwd'],
    ['encoded dots, upper case', '/%2E%2E/outside.txt'],
    ['raw dot-dot', '/../outside.txt'],
    ['backslashes', '/..\\..\\etc\\passwd'],
    ['encoded backslashes', '/..%5c..%5cetc%5cpasswd'],
    ['sibling folder with the root name as prefix', '/../dist-private/key.txt'],
    ['encoded sibling folder', '/%2e%2e%2fdist-private%2fkey.txt'],
    ['symlink to a file outside', '/link.txt'],
    ['symlink to a folder outside', '/linkdir/key.txt'],
    ['NUL byte', '/a.html%00.txt'],
  ])('refuses %s', async (_name, target) => {
    await start()
    const res = await get(port, target)
    expect([400, 403, 404]).toContain(res.status)
    expect(res.body).not.toContain('secret')
    expect(res.body).not.toContain('root:')
  })

  it.each([['/.secret'], ['/.a.html.tmp-1-abcd'], ['/%2esecret']])('does not serve the dotfile %s', async (target) => {
    await start()
    const res = await get(port, target)
    expect([403, 404]).toContain(res.status)
    expect(res.body).not.toContain('dotfile')
  })

  it('refuses a Host header that is not ours (DNS rebinding) and accepts localhost', async () => {
    await start()
    expect((await get(port, '/a.html', `evil.example:${port}`)).status).toBe(403)
    expect((await get(port, '/a.html', `127.0.0.1.evil.example:${port}`)).status).toBe(403)
    expect((await get(port, '/', `evil.example`)).status).toBe(403)
    expect((await raw(port, 'GET /a.html HTTP/1.0\r\n\r\n')).status).toBe(403)
    expect((await get(port, '/a.html', `localhost:${port}`)).status).toBe(200)
    expect((await get(port, '/a.html', `127.0.0.1:${port}`)).status).toBe(200)
  })

  it('refuses WebSocket upgrades from other origins and accepts its own', async () => {
    await start()
    expect((await upgrade(port, 'http://evil.example')).status).toBe(403)
    expect((await upgrade(port, `http://evil.example:${port}`)).status).toBe(403)
    expect((await upgrade(port, 'http://127.0.0.1:1')).status).toBe(403)
    expect((await upgrade(port, undefined)).status).toBe(403)
    expect((await upgrade(port, `http://127.0.0.1:${port}`, `evil.example:${port}`)).status).toBe(403)
    expect((await upgrade(port, `http://127.0.0.1:${port}`)).status).toBe(101)
    expect((await upgrade(port, `http://localhost:${port}`, `localhost:${port}`)).status).toBe(101)
  })

  it('answers only GET and HEAD', async () => {
    await start()
    const res = await raw(port, `POST /a.html HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    expect(res.status).toBe(405)
  })

  it('escapes overlay text so a message cannot close the script tag', async () => {
    await start()
    server.setState(path.join(dist, 'a.html'), {
      errors: [{ where: 'slides/a.md:1', message: '</script><script>alert(1)</script>' }],
      warnings: [],
      overflow: [],
    })
    const page = await get(port, '/a.html')
    expect(page.body).not.toContain('<script>alert(1)')
    expect(page.body).toContain('\\u003c/script>')
  })

  it('serves the dashboard, its JSON and thumbnails under the same Host guard, and deck text never as markup', async () => {
    const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>'
    const png = Buffer.from('\x89PNG fake picture', 'latin1')
    server = new PreviewServer({
      root: dist,
      port: 0,
      index: () => [
        {
          name: `slides/${hostile}.md`,
          title: hostile,
          outputs: [path.join(dist, 'a.html')],
          failed: false,
          thumbnail: { png, hash: 'abc123' },
        },
      ],
    })
    port = Number(new URL(await server.start()).port)
    const index = await get(port, '/')
    expect(index.status).toBe(200)
    expect(index.body).not.toContain('<script>alert(1)')
    expect(index.body).not.toContain('<img src=x')
    expect(index.head).toMatch(/content-security-policy: default-src 'none'; script-src 'sha256-[^']+'/i)
    const json = await get(port, '/__deck/decks.json')
    expect(json.status).toBe(200)
    const [deck] = JSON.parse(json.body) as Array<{ title: string; thumbnail: string }>
    expect(deck!.title).toBe(hostile)
    expect(deck!.thumbnail).toMatch(/^\/__deck\/thumb\/[0-9a-f]{12}\.png\?v=abc123$/)
    const thumb = await get(port, deck!.thumbnail)
    expect(thumb.status).toBe(200)
    expect(thumb.head).toMatch(/content-type: image\/png/i)
    expect(thumb.body).toContain('fake picture')
    // Another Host gets nothing of it; an unknown or malformed thumbnail is not found.
    for (const target of ['/', '/__deck/decks.json', deck!.thumbnail])
      expect((await get(port, target, `evil.example:${port}`)).status).toBe(403)
    expect((await get(port, '/__deck/thumb/000000000000.png')).status).toBe(404)
    expect((await get(port, '/__deck/thumb/../a.html')).status).toBe(404)
  })

  it('can be closed twice, and a second server takes the next free port when asked', async () => {
    await start()
    const second = new PreviewServer({ root: dist, port, nextFreePort: true, index: () => [] })
    const url = await second.start()
    expect(Number(new URL(url).port)).toBeGreaterThan(port)
    await second.close()
    await second.close()
    const third = new PreviewServer({ root: dist, port, index: () => [] })
    await expect(third.start()).rejects.toThrow(/EADDRINUSE/)
    await third.close()
  })
})

describe('guard helpers', () => {
  it('parses Host headers strictly', () => {
    expect(hostnameOf('localhost:8080')).toBe('localhost')
    expect(hostnameOf('[::1]:8080')).toBe('[::1]')
    expect(hostnameOf('user@evil.example')).toBeUndefined()
    expect(hostnameOf('a/b')).toBeUndefined()
    expect(hostnameOf(undefined)).toBeUndefined()
  })

  it('resolves only files inside the root', async () => {
    expect(await resolveRequestPath(dist, '/a.html?x=1#5')).toEqual({ ok: true, file: expect.stringMatching(/a\.html$/) })
    expect(await resolveRequestPath(dist, '/talks')).toEqual({ ok: false, status: 404 })
    expect(await resolveRequestPath(dist, 'a.html')).toEqual({ ok: false, status: 400 })
    expect(await resolveRequestPath(dist, '/%E0%A4%A')).toEqual({ ok: false, status: 400 })
  })
})

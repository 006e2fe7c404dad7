import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderSource, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { solidPng } from '../helpers/png.js'
import { ROOT } from '../helpers/project.js'

/**
 * The remote policy against a real HTTP server on loopback: it stands in both for an internal
 * service (refused by default) and, with the private network allowed, for a public host whose
 * answers are checked for kind and size.
 */
const PNG = solidPng(4, 4, [10, 20, 30])
const BIG = Buffer.concat([solidPng(2, 2, [1, 2, 3]), Buffer.alloc(3 * 2 ** 20)])

let server: Server
let base: string
let ctx: RenderContext

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/img.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG)
    else if (req.url === '/latest/meta-data/')
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"AccessKeyId":"AKIA-deck-test"}')
    else if (req.url === '/disguised.png') res.writeHead(200, { 'content-type': 'image/png' }).end('{"AccessKeyId":"AKIA-deck-test"}')
    else if (req.url === '/big.png') res.writeHead(200, { 'content-type': 'image/png' }).end(BIG)
    else if (req.url === '/stream.png') {
      // No content-length: the cap must hold while the body streams.
      res.writeHead(200, { 'content-type': 'image/png' })
      res.write(BIG.subarray(0, 2 ** 20))
      res.end(BIG.subarray(2 ** 20))
    } else if (req.url === '/moved') res.writeHead(302, { location: '/img.png' }).end()
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `127.0.0.1:${(server.address() as AddressInfo).port}`
  const themes = new ThemeRegistry(ROOT)
  await themes.addProject([])
  ctx = { themes, html: false, fetchRemote: true, remoteTimeoutMs: 2000 }
})

afterAll(() => new Promise((resolve) => server.close(resolve)))

const render = (urls: string[], extra: Partial<RenderContext> = {}) =>
  renderSource(path.join(ROOT, 'slides/remote.md'), `---\nmarp: true\n---\n\n# Remote\n\n${urls.map((u) => `![](${u})`).join('\n\n')}\n`, {
    ...ctx,
    ...extra,
  })

const warnings = (deck: Awaited<ReturnType<typeof render>>) =>
  deck.diagnostics
    .filter((d) => d.rule === 'remote-resource' || d.rule === 'local-file')
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
    .map((d) => `${d.line}: ${d.message}`)

describe('remote policy', () => {
  it('refuses loopback by address and by name, the metadata address and other schemes, each with its line', async () => {
    const deck = await render([
      `http://${base}/img.png`,
      `http://localhost:${base.split(':')[1]}/img.png`,
      'http://169.254.169.254/latest/meta-data/',
      'ftp://example.com/a.png',
    ])
    expect(warnings(deck)).toEqual([
      `7: remote resource http://${base}/img.png was not embedded: 127.0.0.1 is a loopback, link-local or private address`,
      `9: remote resource http://localhost:${base.split(':')[1]}/img.png was not embedded: localhost is a loopback, link-local or private address`,
      '11: remote resource http://169.254.169.254/latest/meta-data/ was not embedded: 169.254.169.254 is a loopback, link-local or private address',
      '13: ftp://example.com/a.png was left out: ftp: URLs are never fetched',
    ])
    expect(deck.html).not.toContain(PNG.toString('base64'))
    expect(deck.diagnostics.find((d) => d.line === 7)?.hint).toContain('--allow-private-network')
  })

  it('with the private network allowed: embeds an image and follows a redirect; refuses JSON, a disguised answer and what passes the size cap', async () => {
    const deck = await render(
      [
        `http://${base}/img.png`,
        `http://${base}/moved`,
        `http://${base}/latest/meta-data/`,
        `http://${base}/disguised.png`,
        `http://${base}/big.png`,
        `http://${base}/stream.png`,
      ],
      { allowPrivateNetwork: true, maxRemoteBytes: 2 ** 20 },
    )
    expect(warnings(deck)).toEqual([
      `11: remote resource http://${base}/latest/meta-data/ was not embedded: the answer is not an image or a font (content type application/json)`,
      `13: remote resource http://${base}/disguised.png was not embedded: the answer is not an image or a font (content type image/png)`,
      `15: remote resource http://${base}/big.png was not embedded: larger than 1 MB`,
      `17: remote resource http://${base}/stream.png was not embedded: larger than 1 MB`,
    ])
    expect(deck.html).toContain(`data:image/png;base64,${PNG.toString('base64')}`)
    expect(deck.html).not.toContain('AKIA')
  })
})

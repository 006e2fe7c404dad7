import { createReadStream } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import createDebug from '../util/debug.js'
import { DeckError, ExitCode } from '../util/errors.js'
import { clientScript, WS_PATH, type ClientMessage, type PageState, type ServerMessage } from './client.js'
import { dashboardDecks, dashboardPage, DASHBOARD_CSP, DECKS_JSON_PATH, thumbnailOf, THUMBNAIL_PATH, type IndexEntry } from './dashboard.js'
import type { DashboardMessage } from './dashboard-client.js'
import { allowedHosts, hostAllowed, originAllowed, resolveRequestPath } from './guard.js'

const debug = createDebug('preview')

/*
 * The live preview: node:http serves dist/ (see guard.ts for what it refuses), deck pages get
 * the reload client injected, and a WebSocket on the same port tells pages to reload or to show
 * the error overlay. Library code: it never exits the process, and `close()` may be called twice.
 */

export type { IndexEntry } from './dashboard.js'

export interface PreviewOptions {
  /** The folder served (dist/). */
  root: string
  host?: string
  /** 0 picks a free port. */
  port?: number
  /** When the port is taken, try the next ones (up to 20). */
  nextFreePort?: boolean
  /** The decks for the index page (the dashboard). */
  index: () => IndexEntry[]
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.pdf': 'application/pdf',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
}

const NO_STATE: PageState = { errors: [], warnings: [], overflow: [] }
const hasContent = (state: PageState): boolean => state.errors.length > 0 || state.warnings.length > 0 || state.overflow.length > 0

/** The one message a page sends: `{"type":"hello","page":"/talk.html"}`; anything else is ignored. */
function parseClientMessage(data: string): ClientMessage | undefined {
  try {
    const msg = JSON.parse(data) as Partial<ClientMessage>
    return msg.type === 'hello' && typeof msg.page === 'string' && msg.page.length < 2048 ? { type: 'hello', page: msg.page } : undefined
  } catch {
    return undefined
  }
}

export class PreviewServer {
  private readonly root: string
  private readonly server: Server
  private readonly wss = new WebSocketServer({ noServer: true })
  private readonly states = new Map<string, PageState>()
  /** Sockets of open dashboards (they said hello for `/`): only they get the decks' updates. */
  private readonly dashboards = new WeakSet<WebSocket>()
  private dashboardTimer: NodeJS.Timeout | undefined
  private allowed = new Set<string>()
  private port = 0
  private closing: Promise<void> | undefined

  constructor(private readonly options: PreviewOptions) {
    this.root = path.resolve(options.root)
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        debug('request failed %o', e)
        if (!res.headersSent) this.plain(res, 500, 'Internal error')
        else res.destroy()
      })
    })
    this.server.on('upgrade', (req: IncomingMessage, socket, head) => {
      const url = req.url?.split('?')[0]
      if (url !== WS_PATH || !hostAllowed(req.headers.host, this.allowed) || !originAllowed(req.headers.origin, this.allowed, this.port)) {
        debug('refused upgrade %s host=%s origin=%s', req.url, req.headers.host, req.headers.origin)
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
        return
      }
      this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        ws.on('error', () => ws.terminate())
        // A page says which output it shows once connected, and gets that output's state as it
        // is now: state sent while it was reloading (lint findings come after the HTML) is
        // not lost.
        ws.on('message', (data) => {
          const msg = parseClientMessage(String(data))
          if (msg?.page === '/') {
            this.dashboards.add(ws)
            ws.send(JSON.stringify(this.dashboardMessage()))
          } else if (msg)
            ws.send(JSON.stringify({ type: 'state', page: msg.page, state: this.states.get(msg.page) ?? NO_STATE } satisfies ServerMessage))
        })
      })
    })
  }

  /** Listen; resolves with the URL. */
  async start(): Promise<string> {
    const host = this.options.host ?? '127.0.0.1'
    const first = this.options.port ?? 8080
    const tries = this.options.nextFreePort && first !== 0 ? 20 : 1
    for (let i = 0; i < tries; i += 1) {
      try {
        await new Promise<void>((resolve, reject) => {
          const onError = (e: Error) => reject(e)
          this.server.once('error', onError)
          this.server.listen(first + i, host, () => {
            this.server.off('error', onError)
            resolve()
          })
        })
        break
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code !== 'EADDRINUSE' || i === tries - 1) {
          throw new DeckError(`cannot listen on ${host}:${first + i}: ${code ?? (e as Error).message}`, {
            code: ExitCode.USAGE,
            hint: code === 'EADDRINUSE' ? 'Choose another port with --port.' : 'Check --host and --port.',
            cause: e,
          })
        }
      }
    }
    this.port = (this.server.address() as AddressInfo).port
    this.allowed = allowedHosts(host)
    return this.url
  }

  get url(): string {
    const host = this.options.host ?? '127.0.0.1'
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host
    return `http://${shown}:${this.port}`
  }

  /** The URL path of an output file in the served folder (`/talks/a.html`). */
  pagePath(file: string): string {
    return '/' + path.relative(this.root, file).split(path.sep).map(encodeURIComponent).join('/')
  }

  /** Tell open pages of this output to reload (its build succeeded); `state` holds its warnings. */
  reload(file: string, state: PageState = NO_STATE): void {
    const page = this.pagePath(file)
    if (hasContent(state)) this.states.set(page, state)
    else this.states.delete(page)
    this.broadcast({ type: 'reload', page })
  }

  /** Show (or clear) the overlay on open pages of this output. */
  setState(file: string, state: PageState): void {
    const page = this.pagePath(file)
    if (hasContent(state)) this.states.set(page, state)
    else this.states.delete(page)
    this.broadcast({ type: 'state', page, state })
  }

  /**
   * Send the decks to open dashboards (a deck was built, checked, pictured, added or removed).
   * Calls within a few milliseconds (a build's HTML, findings and thumbnail) make one message.
   */
  updateIndex(): void {
    this.dashboardTimer ??= setTimeout(() => {
      this.dashboardTimer = undefined
      const open = [...this.wss.clients].filter((ws) => this.dashboards.has(ws) && ws.readyState === ws.OPEN)
      if (!open.length) return
      const data = JSON.stringify(this.dashboardMessage())
      for (const ws of open) ws.send(data)
    }, 15)
    this.dashboardTimer.unref()
  }

  private dashboardMessage(): DashboardMessage {
    return { type: 'dashboard', page: '/', decks: dashboardDecks(this.options.index(), (f) => this.pagePath(f)) }
  }

  private broadcast(msg: ServerMessage): void {
    const data = JSON.stringify(msg)
    for (const ws of this.wss.clients) if (ws.readyState === ws.OPEN && !this.dashboards.has(ws)) ws.send(data)
  }

  private plain(res: ServerResponse, status: number, text: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
    res.end(text)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, this.allowed)) return this.plain(res, 403, 'Forbidden: unknown Host header')
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      return this.plain(res, 405, 'Method not allowed')
    }
    const rawUrl = req.url ?? '/'
    const pathname = rawUrl.split(/[?#]/, 1)[0]
    if (pathname === '/' || pathname === '/index.html') {
      const decks = dashboardDecks(this.options.index(), (f) => this.pagePath(f))
      return this.send(res, req, 'text/html; charset=utf-8', dashboardPage(decks, WS_PATH), { 'Content-Security-Policy': DASHBOARD_CSP })
    }
    if (pathname === DECKS_JSON_PATH) return this.send(res, req, 'application/json', JSON.stringify(this.dashboardMessage().decks))
    if (pathname.startsWith(THUMBNAIL_PATH)) {
      const png = thumbnailOf(this.options.index(), pathname)
      return png ? this.send(res, req, 'image/png', png) : this.plain(res, 404, 'Not found')
    }
    const resolved = await resolveRequestPath(this.root, rawUrl)
    if (!resolved.ok)
      return this.plain(res, resolved.status, resolved.status === 404 ? 'Not found' : resolved.status === 403 ? 'Forbidden' : 'Bad request')
    const type = MIME[path.extname(resolved.file).toLowerCase()] ?? 'application/octet-stream'
    if (type.startsWith('text/html')) {
      const page = this.pagePath(resolved.file)
      const html = await readFile(resolved.file, 'utf8')
      return this.send(res, req, type, this.inject(html, page))
    }
    const { size } = await stat(resolved.file)
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
    if (req.method === 'HEAD') return void res.end()
    const stream = createReadStream(resolved.file)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  private send(
    res: ServerResponse,
    req: IncomingMessage,
    type: string,
    body: string | Uint8Array,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(200, {
      ...headers,
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  private inject(html: string, page: string): string {
    const script = clientScript(page, this.states.get(page) ?? NO_STATE)
    const at = html.lastIndexOf('</body>')
    return at < 0 ? html + script : html.slice(0, at) + script + html.slice(at)
  }

  /** Stop listening and drop every connection; safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      clearTimeout(this.dashboardTimer)
      for (const ws of this.wss.clients) ws.terminate()
      this.wss.close()
      if (!this.server.listening) return resolve()
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
    return this.closing
  }
}

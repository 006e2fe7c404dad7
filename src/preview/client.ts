/**
 * The reload client injected into every previewed deck page. It runs in the browser: the server
 * inlines `reloadClient.toString()`, so it must not use anything from outside its own body.
 * marp-cli's viewer keeps the slide in the URL hash (and presenter view in `?view=`), so a plain
 * `location.reload()` comes back on the same slide in the same view.
 */
export interface OverlayItem {
  /** `file:line`, relative to the project. */
  where: string
  message: string
  hint?: string
}

export interface PageState {
  /** The last build failed: the page shows the last good slides under these. */
  errors: OverlayItem[]
  warnings: OverlayItem[]
}

export type ServerMessage = { type: 'reload'; page: string } | { type: 'state'; page: string; state: PageState }

export const WS_PATH = '/__deck/ws'
export const OVERLAY_ID = 'deck-preview-overlay'

export function reloadClient(page: string, initial: PageState, wsPath: string, overlayId: string): void {
  // Presenter view shows the next slide in an iframe of this page; its parent reloads it.
  if (window.top !== window) return
  const show = (state: PageState): void => {
    document.getElementById(overlayId)?.remove()
    const failed = state.errors.length > 0
    if (!failed && !state.warnings.length) return
    const host = document.createElement('div')
    host.id = overlayId
    host.dataset['state'] = failed ? 'error' : 'warning'
    const root = host.attachShadow({ mode: 'open' })
    const style = document.createElement('style')
    style.textContent = failed
      ? ':host{all:initial;position:fixed;inset:0;z-index:2147483647;background:rgba(24,0,0,.82);color:#fff;font:15px/1.5 system-ui,sans-serif;overflow:auto}section{max-width:60em;margin:8vh auto;padding:1.5em 2em;background:#1e1e1e;border-top:6px solid #e5484d;border-radius:6px}h1{font-size:1.3em;margin:0 0 1em;color:#ff8a8d}code{font:13px ui-monospace,monospace;color:#ffd479}p{margin:.2em 0 1.2em}small{opacity:.75}'
      : ':host{all:initial;position:fixed;right:12px;bottom:12px;z-index:2147483647;max-width:40em;max-height:40vh;overflow:auto;background:#1e1e1e;color:#fff;font:13px/1.45 system-ui,sans-serif;border-left:5px solid #f5a524;border-radius:4px;padding:.6em 1em}h1{font-size:1em;margin:0 0 .4em;color:#f5c26b}code{font:12px ui-monospace,monospace;color:#ffd479}p{margin:.1em 0 .6em}button{float:right;background:none;border:0;color:#fff;font-size:16px;cursor:pointer}'
    const section = document.createElement('section')
    const title = document.createElement('h1')
    title.textContent = failed ? 'Build failed: showing the last good slides' : `${state.warnings.length} warning(s)`
    section.append(title)
    if (!failed) {
      const close = document.createElement('button')
      close.textContent = '×'
      close.title = 'Hide until the next build'
      close.onclick = () => host.remove()
      section.prepend(close)
    }
    for (const item of failed ? state.errors : state.warnings) {
      const where = document.createElement('code')
      where.textContent = item.where
      const text = document.createElement('p')
      text.textContent = item.message
      if (item.hint) {
        const hint = document.createElement('small')
        hint.textContent = ` ${item.hint}`
        text.append(document.createElement('br'), hint)
      }
      section.append(where, text)
    }
    if (failed) {
      const foot = document.createElement('small')
      foot.textContent = 'Fix it and save: this page reloads by itself.'
      section.append(foot)
    }
    root.append(style, section)
    document.body.append(host)
  }
  show(initial)

  let delay = 200
  let lost = false
  const connect = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${wsPath}`)
    ws.onopen = () => {
      delay = 200
      // Lets tests and the benchmark know the page is listening before they save.
      document.documentElement.dataset['deckPreview'] = 'connected'
      // The server was gone (restarted): the deck may have changed meanwhile.
      if (lost) location.reload()
    }
    ws.onmessage = (event: MessageEvent<string>) => {
      const msg = JSON.parse(event.data) as ServerMessage
      if (msg.page !== page) return
      if (msg.type === 'reload') location.reload()
      else show(msg.state)
    }
    ws.onclose = () => {
      lost = true
      setTimeout(connect, delay)
      delay = Math.min(delay * 2, 5000)
    }
  }
  connect()
}

/** The `<script>` that runs the client in a page; JSON is escaped so no value can close the tag. */
export function clientScript(page: string, state: PageState): string {
  const json = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
  return `<script>(${reloadClient.toString()})(${json(page)},${json(state)},${json(WS_PATH)},${json(OVERLAY_ID)})</script>`
}

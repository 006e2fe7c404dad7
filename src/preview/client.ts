/*
 * The reload client injected into every previewed deck page. It runs in the browser: the server
 * inlines `reloadClient.toString()`, so it must not use anything from outside its own body.
 * marp-cli's viewer keeps the slide in the URL hash (and presenter view in `?view=`), so a plain
 * `location.reload()` comes back on the same slide in the same view.
 *
 * A rebuild is first applied in place: the page fetches the new HTML and swaps in the slides,
 * styles and notes that changed, keeping its fonts, scripts, slide and view. A big deck then
 * updates without reloading its whole page (which would also hold the CPU that the next save's
 * render needs). What the viewer set up at load (the slide count, each slide's
 * fragments, its stylesheets) cannot be swapped: when that changed the page reloads.
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
  /** Slides (1-based) whose content overflows or whose code Marp shrank unreadably: badged. */
  overflow: number[]
}

export type ServerMessage = { type: 'reload'; page: string } | { type: 'state'; page: string; state: PageState }
export type ClientMessage = { type: 'hello'; page: string }

export const WS_PATH = '/__deck/ws'
/**
 * Fired on `window` after a rebuild was applied in place; `data-deck-updates` on <html> counts
 * them (tests and the benchmark watch these). The client spells it out: it cannot import.
 */
export const UPDATED_EVENT = 'deck:updated'
export const OVERLAY_ID = 'deck-preview-overlay'
export const BADGE_CLASS = 'deck-preview-badge'

export function reloadClient(page: string, initial: PageState, wsPath: string, overlayId: string, badgeClass: string): void {
  // Presenter view shows the next slide in an iframe of this page; its parent reloads it.
  if (window.top !== window) return
  const SVG = 'http://www.w3.org/2000/svg'
  // Badges are drawn in the slide's own SVG, over its content, so they change no layout.
  const badge = (slides: number[]): void => {
    document.querySelectorAll(`.${badgeClass}`).forEach((el) => el.remove())
    const svgs = document.querySelectorAll('svg[data-marpit-svg]')
    for (const n of slides) {
      const svg = svgs[n - 1]
      const box = svg?.getAttribute('viewBox')?.split(' ').map(Number)
      if (!svg || !box) continue
      const g = document.createElementNS(SVG, 'g')
      g.setAttribute('class', badgeClass)
      const rect = document.createElementNS(SVG, 'rect')
      const text = document.createElementNS(SVG, 'text')
      Object.entries({ x: box[2]! - 190, y: 12, width: 178, height: 40, rx: 8, fill: '#e5484d' }).forEach(([k, v]) =>
        rect.setAttribute(k, String(v)),
      )
      Object.entries({
        x: box[2]! - 101,
        y: 39,
        'text-anchor': 'middle',
        fill: '#fff',
        'font-size': 22,
        'font-family': 'system-ui, sans-serif',
        'font-weight': 700,
      }).forEach(([k, v]) => text.setAttribute(k, String(v)))
      text.textContent = '⚠ overflow'
      g.append(rect, text)
      svg.append(g)
    }
  }
  // The warnings box starts as a badge in the top-left corner, away from the viewer's controls
  // (bottom centre); it opens on click or Enter and stays as the presenter left it across updates
  // and reloads of this tab.
  const OPEN_KEY = 'deck-preview-warnings-open'
  let open = false
  try {
    open = sessionStorage.getItem(OPEN_KEY) === '1'
  } catch {
    // Storage may be off: the box starts closed.
  }
  const show = (state: PageState): void => {
    badge(state.overflow)
    const focused = document.getElementById(overlayId)?.shadowRoot?.activeElement?.className
    document.getElementById(overlayId)?.remove()
    const failed = state.errors.length > 0
    if (!failed && !state.warnings.length) return
    const host = document.createElement('div')
    host.id = overlayId
    host.dataset['state'] = failed ? 'error' : 'warning'
    // The viewer's keys (space, arrows, f, o, p) must not act on a key meant for the box.
    host.addEventListener('keydown', (e) => e.stopPropagation())
    const root = host.attachShadow({ mode: 'open' })
    const style = document.createElement('style')
    style.textContent = failed
      ? ':host{all:initial;position:fixed;inset:0;z-index:2147483647;background:rgba(24,0,0,.82);color:#fff;font:15px/1.5 system-ui,sans-serif;overflow:auto}section{max-width:60em;margin:8vh auto;padding:1.5em 2em;background:#1e1e1e;border-top:6px solid #e5484d;border-radius:6px}h1{font-size:1.3em;margin:0 0 1em;color:#ff8a8d}code{font:13px ui-monospace,monospace;color:#ffd479}p{margin:.2em 0 1.2em}small{opacity:.75}'
      : // The bespoke viewer's controls take the bottom 106 px (bottom: 50px, 56 px tall in
        // marp-cli 4.5.1): the open box stops 140 px above the bottom.
        ':host{all:initial;position:fixed;left:12px;top:12px;z-index:2147483647;max-width:min(40em,calc(100vw - 24px));font:13px/1.45 system-ui,sans-serif;color:#fff}' +
        'button{font:inherit;color:inherit;cursor:pointer;border:0}button:focus-visible{outline:2px solid #ffd479;outline-offset:2px}' +
        '.badge{display:inline-flex;align-items:center;gap:.4em;background:#1e1e1e;border-left:5px solid #f5a524;border-radius:4px;padding:.35em .8em;font-weight:600;box-shadow:0 2px 8px rgba(0,0,0,.3)}' +
        '.badge span{color:#f5c26b}section{margin-top:6px;max-height:calc(100vh - 12px - 140px - 40px);overflow:auto;background:#1e1e1e;border-left:5px solid #f5a524;border-radius:4px;padding:.6em 1em;box-shadow:0 2px 8px rgba(0,0,0,.3)}' +
        'section[hidden]{display:none}code{font:12px ui-monospace,monospace;color:#ffd479}p{margin:.1em 0 .6em}.close{float:right;background:none;font-size:16px;padding:0 .2em}'
    const section = document.createElement('section')
    let refocus: HTMLElement | undefined
    if (failed) {
      const title = document.createElement('h1')
      title.textContent = 'Build failed: showing the last good slides'
      section.append(title)
    } else {
      section.id = 'list'
      const toggle = document.createElement('button')
      toggle.className = 'badge'
      toggle.setAttribute('aria-controls', 'list')
      const icon = document.createElement('span')
      icon.textContent = '⚠'
      const chevron = document.createElement('b')
      chevron.setAttribute('aria-hidden', 'true')
      toggle.append(icon, ` ${state.warnings.length} warning${state.warnings.length === 1 ? '' : 's'}`, chevron)
      const close = document.createElement('button')
      close.className = 'close'
      close.textContent = '×'
      close.title = 'Close the list (Esc)'
      close.setAttribute('aria-label', 'Close the list of warnings')
      const set = (to: boolean, focus?: HTMLElement): void => {
        open = to
        try {
          sessionStorage.setItem(OPEN_KEY, to ? '1' : '0')
        } catch {
          // Kept for this page only.
        }
        section.hidden = !to
        toggle.setAttribute('aria-expanded', String(to))
        toggle.title = to ? 'Hide the warnings' : 'Show the warnings'
        chevron.textContent = to ? '▴' : '▾'
        focus?.focus()
      }
      toggle.onclick = () => set(!open)
      close.onclick = () => set(false, toggle)
      root.addEventListener('keydown', (e) => {
        if ((e as KeyboardEvent).key === 'Escape' && open) set(false, toggle)
      })
      section.append(close)
      root.append(toggle)
      set(open)
      // A redrawn box keeps the focus the presenter gave it (once it is in the page).
      refocus = focused === 'badge' ? toggle : focused === 'close' && open ? close : undefined
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
    root.prepend(style)
    root.append(section)
    document.body.append(host)
    refocus?.focus()
  }
  show(initial)

  // Swap the changed parts of `next` into `doc`; false (and `doc` untouched) when it cannot.
  const patch = (doc: Document, next: Document): boolean => {
    const slides = (d: Document) => [...d.querySelectorAll('svg[data-marpit-svg]')]
    const styles = (d: Document) => [...d.head.querySelectorAll('style')]
    const notes = (d: Document) => [...d.querySelectorAll('.bespoke-marp-note')]
    const fragments = (el: Element) => el.querySelectorAll('[data-marpit-fragment]').length
    const [oldSlides, newSlides] = [slides(doc), slides(next)]
    const [oldStyles, newStyles] = [styles(doc), styles(next)]
    const [oldNotes, newNotes] = [notes(doc), notes(next)]
    // Not a deck (the index page): only a reload shows what changed.
    if (oldSlides.length === 0) return false
    if (oldSlides.length !== newSlides.length || oldStyles.length !== newStyles.length || oldNotes.length !== newNotes.length) return false
    if (oldSlides.some((el, i) => fragments(el) !== fragments(newSlides[i]!))) return false
    oldStyles.forEach((el, i) => {
      const css = newStyles[i]!.textContent
      if (el.textContent !== css) el.textContent = css
    })
    oldSlides.forEach((el, i) => {
      el.querySelectorAll(`.${badgeClass}`).forEach((b) => b.remove())
      const fresh = newSlides[i]!
      if (el.innerHTML !== fresh.innerHTML) el.replaceChildren(...[...fresh.childNodes].map((n) => doc.importNode(n, true)))
      // The render's attributes (size, pagination); the viewer's classes on the slide stay.
      for (const { name, value } of fresh.attributes) if (name !== 'class' && el.getAttribute(name) !== value) el.setAttribute(name, value)
    })
    oldNotes.forEach((el, i) => {
      if (el.innerHTML !== newNotes[i]!.innerHTML) el.innerHTML = newNotes[i]!.innerHTML
    })
    doc.title = next.title
    return true
  }
  let updates = 0
  const update = async (ws: WebSocket): Promise<void> => {
    try {
      const res = await fetch(location.pathname + location.search, { cache: 'no-store' })
      const next = new DOMParser().parseFromString(await res.text(), 'text/html')
      if (!res.ok || !patch(document, next)) return location.reload()
      // Presenter view shows the next slide in an iframe of this page.
      for (const frame of document.querySelectorAll('iframe')) {
        const doc = frame.contentDocument
        if (doc && !patch(doc, next)) frame.contentWindow?.location.reload()
      }
    } catch {
      return location.reload()
    }
    updates += 1
    document.documentElement.dataset['deckUpdates'] = String(updates)
    dispatchEvent(new Event('deck:updated'))
    // The badges and warnings of this build.
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'hello', page }))
  }

  let delay = 200
  let lost = false
  const connect = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${wsPath}`)
    ws.onopen = () => {
      delay = 200
      // Ask for this page's current state: it may have changed while the page was loading.
      ws.send(JSON.stringify({ type: 'hello', page }))
      // Lets tests and the benchmark know the page is listening before they save.
      document.documentElement.dataset['deckPreview'] = 'connected'
      // The server was gone (restarted): the deck may have changed meanwhile.
      if (lost) location.reload()
    }
    ws.onmessage = (event: MessageEvent<string>) => {
      const msg = JSON.parse(event.data) as ServerMessage
      if (msg.page !== page) return
      if (msg.type === 'reload') void update(ws)
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
  const json = (v: unknown): string =>
    JSON.stringify(v)
      .replace(/</g, '\\u003c')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029')
  return `<script>(${reloadClient.toString()})(${json(page)},${json(state)},${json(WS_PATH)},${json(OVERLAY_ID)},${json(BADGE_CLASS)})</script>`
}

/*
 * The preview dashboard's script. It runs in the browser: the server inlines
 * `dashboardClient.toString()`, so it uses nothing from outside its own body (types aside).
 * It draws the decks from the JSON the page carries, then from each `dashboard` message of the
 * reload channel, in place: no reload, and the focused link keeps its focus. Deck text only
 * ever goes in through `textContent` and attributes, never as HTML.
 */

import type { OverlayItem } from './client.js'

/** A finding as the dashboard lists it; `slide` (1-based) links to the deck page at that slide. */
export interface DashboardFinding {
  where: string
  message: string
  severity: 'error' | 'warning'
  slide?: number
}

/** One deck on the dashboard, as the page's JSON and each `dashboard` message carry it. */
export interface DashboardDeck {
  /** Stable across builds: a hash of the deck's path. */
  id: string
  /** The deck's path, relative to the project. */
  name: string
  title: string
  /** URL path of the deck's HTML page, once written. */
  page?: string
  slides?: number
  /** Wall-clock time of the last build (ms since 1970): the dashboard is live UI, not an output. */
  builtAt?: number
  /** How long that build took. */
  ms?: number
  failed: boolean
  errors: OverlayItem[]
  findings: DashboardFinding[]
  outputs: Array<{ label: string; href: string; bytes: number }>
  /** URL of the first slide's picture, with the picture's content hash as a cache-buster. */
  thumbnail?: string
}

export type DashboardMessage = { type: 'dashboard'; page: '/'; decks: DashboardDeck[] }

export function dashboardClient(dataId: string, listId: string, summaryId: string, statusId: string): void {
  const list = document.getElementById(listId)!
  const summary = document.getElementById(summaryId)!
  const status = document.getElementById(statusId)!
  /** Each deck's card and the JSON it was drawn from: an unchanged deck keeps its elements. */
  const cards = new Map<string, { json: string; el: HTMLElement }>()

  const h = <K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] => {
    const el = document.createElement(tag)
    if (className) el.className = className
    if (text !== undefined) el.textContent = text
    return el
  }
  const link = (href: string, text: string, key: string): HTMLAnchorElement => {
    const a = h('a', undefined, text)
    a.href = href
    a.dataset['key'] = key
    return a
  }
  const size = (n: number): string =>
    n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

  const card = (d: DashboardDeck): HTMLElement => {
    const li = h('li', 'deck')
    li.dataset['id'] = d.id
    li.dataset['state'] = d.failed ? 'failed' : 'ok'
    const thumb = h('div', 'thumb')
    if (d.thumbnail) {
      const img = h('img')
      img.src = d.thumbnail
      img.alt = `First slide of ${d.title}`
      img.width = 240
      img.height = 135
      thumb.append(img)
    } else {
      thumb.append(h('span', undefined, d.failed ? 'no picture' : 'picture after the first check'))
    }
    const info = h('div', 'info')
    const title = h('h2')
    title.append(d.page ? link(d.page, d.title, `${d.id}:page`) : h('span', undefined, d.title))
    info.append(title, h('p', 'name', d.name))

    const meta: string[] = []
    if (d.slides !== undefined) meta.push(plural(d.slides, 'slide'))
    if (d.builtAt !== undefined) {
      const at = new Date(d.builtAt).toLocaleTimeString()
      const took = d.ms === undefined ? '' : d.ms < 1000 ? ` in ${Math.round(d.ms)} ms` : ` in ${(d.ms / 1000).toFixed(1)} s`
      meta.push(`built ${at}${took}`)
    }
    if (meta.length) info.append(h('p', 'meta', meta.join(' · ')))

    if (d.failed) {
      const box = h('div', 'failed')
      box.append(h('strong', undefined, 'Build failed'))
      for (const e of d.errors) {
        const p = h('p')
        p.append(h('code', undefined, e.where), document.createTextNode(` ${e.message}`))
        if (e.hint) p.append(h('br'), h('small', undefined, e.hint))
        box.append(p)
      }
      info.append(box)
    }

    const findings = h('div', 'findings')
    if (d.findings.length) {
      const first = d.findings.find((f) => f.slide !== undefined)
      const label = `⚠ ${plural(d.findings.length, 'finding')}`
      const head = h('p')
      head.append(d.page ? link(first ? `${d.page}#${first.slide}` : d.page, label, `${d.id}:findings`) : h('span', undefined, label))
      findings.append(head)
      const items = h('ul')
      for (const [i, f] of d.findings.slice(0, 3).entries()) {
        const item = h('li')
        item.dataset['severity'] = f.severity
        if (d.page && f.slide !== undefined) item.append(link(`${d.page}#${f.slide}`, `slide ${f.slide}`, `${d.id}:finding:${i}`), ' ')
        item.append(h('span', undefined, f.message))
        items.append(item)
      }
      if (d.findings.length > 3) items.append(h('li', 'more', `and ${d.findings.length - 3} more in the deck page`))
      findings.append(items)
    } else if (!d.failed) {
      findings.append(h('p', 'clean', 'No findings'))
    }
    info.append(findings)

    const outputs = h('p', 'outputs')
    if (d.outputs.length) {
      for (const o of d.outputs) {
        const span = h('span', 'output')
        span.append(link(o.href, o.label, `${d.id}:out:${o.href}`), h('small', undefined, ` ${size(o.bytes)}`))
        outputs.append(span)
      }
    } else {
      outputs.append(h('em', undefined, 'no outputs yet'))
    }
    info.append(outputs)
    li.append(thumb, info)
    return li
  }

  const render = (decks: DashboardDeck[]): void => {
    const focused = (document.activeElement as HTMLElement | null)?.dataset['key']
    const seen = new Set<string>()
    let at: Element | null = list.firstElementChild
    if (at?.classList.contains('empty')) {
      at.remove()
      at = null
    }
    for (const d of decks) {
      seen.add(d.id)
      const json = JSON.stringify(d)
      let entry = cards.get(d.id)
      if (!entry || entry.json !== json) {
        const el = card(d)
        if (entry) {
          if (at === entry.el) at = el
          entry.el.replaceWith(el)
        }
        entry = { json, el }
        cards.set(d.id, entry)
      }
      // Cards are only moved when the order changed (a deck came or went).
      if (at !== entry.el) list.insertBefore(entry.el, at)
      at = entry.el.nextElementSibling
    }
    for (const [id, entry] of cards) {
      if (seen.has(id)) continue
      entry.el.remove()
      cards.delete(id)
    }
    if (!decks.length) list.append(h('li', 'empty', 'No decks yet: put Markdown files in slides/.'))
    // A redrawn card puts the focus back on the same link.
    if (focused && (document.activeElement === document.body || !document.activeElement)) {
      for (const el of list.querySelectorAll<HTMLElement>('[data-key]')) if (el.dataset['key'] === focused) el.focus()
    }
    const failed = decks.filter((d) => d.failed).length
    const findings = decks.reduce((n, d) => n + d.findings.length, 0)
    summary.textContent = [plural(decks.length, 'deck'), failed ? `${failed} failed` : '', plural(findings, 'finding')]
      .filter(Boolean)
      .join(' · ')
    document.documentElement.dataset['dashboardUpdates'] = String(Number(document.documentElement.dataset['dashboardUpdates'] ?? -1) + 1)
  }

  const data = JSON.parse(document.getElementById(dataId)?.textContent ?? '{}') as { wsPath: string; decks: DashboardDeck[] }
  render(data.decks)

  let delay = 200
  const connect = (): void => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${data.wsPath}`)
    ws.onopen = () => {
      delay = 200
      // The server answers with the decks as they are now, missed updates included.
      ws.send(JSON.stringify({ type: 'hello', page: '/' }))
      status.textContent = 'Live: updates on every save'
      document.documentElement.dataset['deckPreview'] = 'connected'
    }
    ws.onmessage = (event: MessageEvent<string>) => {
      const msg = JSON.parse(event.data) as { type: string; page: string; decks?: DashboardDeck[] }
      if (msg.type === 'dashboard' && msg.page === '/' && Array.isArray(msg.decks)) render(msg.decks)
    }
    ws.onclose = () => {
      status.textContent = 'Reconnecting to the watcher…'
      document.documentElement.dataset['deckPreview'] = 'lost'
      setTimeout(connect, delay)
      delay = Math.min(delay * 2, 5000)
    }
  }
  connect()
}

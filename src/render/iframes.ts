import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { checkLocalFile, type MediaCache } from '../access/local.js'
import type { AccessPolicy } from '../access/policy.js'
import { isText } from '../access/sniff.js'
import type { Diagnostic } from '../util/diagnostics.js'
import { decodeEntities, escapeHtml } from '../util/html-text.js'
import { classifyUrl, inlineAssets, localPath } from './assets.js'
import type { DeckFacts } from './facts.js'
import { slideOfLine } from './slides.js'
import { rebaseUrls } from './themes.js'

/*
 * `<iframe>`s of a deck with `--html`. A local page (inside the project, under the local-file
 * policy) is inlined as `srcdoc`, with its own stylesheets, images and url()s embedded the way
 * the deck's are, so the PDF, the PPTX and the HTML all show it and nothing is loaded. A remote
 * page is never fetched: it gets a finding, and stays as the deck wrote it (the HTML loads it
 * when viewed; the PDF shows an empty box). Pages are bounded in size; an iframe inside an
 * inlined page is not followed.
 */

/** Largest local page inlined, in bytes (its pictures are embedded on top). */
export const MAX_IFRAME_BYTES = 2 * 2 ** 20

export interface IframeOptions {
  file: string
  markdown: string
  facts: DeckFacts
  baseDir: string
  policy: AccessPolicy
  media: MediaCache
}

export interface IframeResult {
  html: string
  diagnostics: Diagnostic[]
  /** Local files read (pages, their stylesheets and pictures), for watch mode. */
  files: string[]
}

const IFRAME = /<iframe\b[^>]*>/gi
const SRC = /\ssrc=(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i

type Inlined =
  { kind: 'ok'; doc: string; files: string[]; problems: string[] } | { kind: 'finding'; rule: string; reason: string; hint: string }

/** The slides' HTML with each local iframe's page inlined as `srcdoc`, and findings for the others. */
export async function inlineIframes(html: string, opts: IframeOptions): Promise<IframeResult> {
  if (!/<iframe\b/i.test(html)) return { html, diagnostics: [], files: [] }
  const srcs = new Set<string>()
  for (const tag of html.match(IFRAME) ?? []) {
    const m = SRC.exec(tag)
    if (m && !/\ssrcdoc=/i.test(tag)) srcs.add(decodeEntities(m[1] ?? m[2] ?? m[3] ?? ''))
  }
  const pages = new Map<string, Inlined>()
  await Promise.all([...srcs].map(async (src) => pages.set(src, await inlinePage(src, opts))))

  const diagnostics: Diagnostic[] = []
  const files: string[] = []
  for (const [src, page] of [...pages].sort(([a], [b]) => a.localeCompare(b))) {
    const lines = linesNaming(opts.markdown, src)
    const at = (message: string, rule: string, hint: string): void => {
      const base = { rule, severity: 'warning' as const, file: opts.file, message, hint }
      if (!lines.length) diagnostics.push(base)
      for (const line of lines) diagnostics.push({ ...base, line, slide: slideOfLine(opts.facts, line) })
    }
    if (page.kind === 'finding') {
      at(`iframe ${src} is not embedded: ${page.reason}`, page.rule, page.hint)
      continue
    }
    files.push(...page.files)
    for (const problem of page.problems)
      at(`iframe ${src}: ${problem}`, 'local-file', 'Keep what the page shows inside the project, next to it.')
  }

  const out = html.replace(IFRAME, (tag) => {
    const m = SRC.exec(tag)
    const page = m && !/\ssrcdoc=/i.test(tag) ? pages.get(decodeEntities(m[1] ?? m[2] ?? m[3] ?? '')) : undefined
    if (page?.kind !== 'ok') return tag
    return tag.replace(SRC, ` srcdoc="${escapeHtml(page.doc)}"`)
  })
  return { html: out, diagnostics, files: [...new Set(files)].sort() }
}

async function inlinePage(src: string, opts: IframeOptions): Promise<Inlined> {
  const kind = classifyUrl(src)
  if (kind === 'inline' || src === '') return { kind: 'ok', doc: '', files: [], problems: [] }
  if (kind === 'remote') {
    return {
      kind: 'finding',
      rule: 'remote-resource',
      reason: 'remote pages are never fetched, so the PDF and PPTX show an empty box (the HTML loads it when viewed)',
      hint: 'Save the page inside the project and point the iframe at it, or show a screenshot of it.',
    }
  }
  if (kind !== 'local') {
    return {
      kind: 'finding',
      rule: 'local-file',
      reason: `${src.split(':')[0]}: URLs are never loaded`,
      hint: 'Point the iframe at a page inside the project.',
    }
  }
  const file = localPath(src, opts.baseDir)
  const check = await checkLocalFile(file, opts.policy)
  if (check.kind === 'missing') {
    return { kind: 'finding', rule: 'local-file', reason: `no file at ${file}`, hint: "Paths are relative to the deck's folder." }
  }
  if (check.kind === 'refused') return { kind: 'finding', rule: 'local-file', ...check.refusal }
  if (check.info.size > MAX_IFRAME_BYTES) {
    return {
      kind: 'finding',
      rule: 'local-file',
      reason: `the page is larger than ${MAX_IFRAME_BYTES / 2 ** 20} MB`,
      hint: 'Embed a smaller page, or a picture of it.',
    }
  }
  const bytes = await readFile(check.real)
  if (!isText(bytes))
    return { kind: 'finding', rule: 'local-file', reason: 'it is not a text (HTML) file', hint: 'Point the iframe at an HTML page.' }
  const dir = path.dirname(check.real)
  const files = [check.real]
  const problems: string[] = []
  const doc = await inlineStylesheets(bytes.toString('utf8'), dir, opts, files, problems)
  const inlined = await inlineAssets(doc, '', { baseDir: dir, policy: opts.policy, media: opts.media })
  files.push(...inlined.files)
  for (const p of inlined.problems) problems.push(`${p.url} was not embedded: ${p.reason}`)
  // Pictures the page shows more than once are shared through custom properties (see inlineAssets).
  const shared = inlined.css.trim() ? `<style>${inlined.css}</style>` : ''
  return { kind: 'ok', doc: shared + inlined.html, files, problems }
}

const STYLESHEET = /<link\b[^>]*\brel=["']?stylesheet\b[^>]*>/gi
const HREF = /\shref=(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i

/** The page's local `<link rel="stylesheet">`s as `<style>` elements, their url()s resolved from their own folder. */
async function inlineStylesheets(doc: string, dir: string, opts: IframeOptions, files: string[], problems: string[]): Promise<string> {
  const links = doc.match(STYLESHEET) ?? []
  const styles = new Map<string, string>()
  for (const link of links) {
    const m = HREF.exec(link)
    const href = m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : ''
    if (!href || classifyUrl(href) !== 'local') {
      if (href) problems.push(`${href} was not embedded: only stylesheets inside the project are`)
      continue
    }
    const file = localPath(href, dir)
    const check = await checkLocalFile(file, opts.policy)
    if (check.kind !== 'ok' || check.info.size > MAX_IFRAME_BYTES) {
      problems.push(
        `${href} was not embedded: ${check.kind === 'refused' ? check.refusal.reason : check.kind === 'missing' ? 'not found' : 'too large'}`,
      )
      continue
    }
    const bytes = await readFile(check.real)
    if (!isText(bytes)) continue
    files.push(check.real)
    styles.set(link, `<style>${rebaseUrls(bytes.toString('utf8'), path.dirname(check.real)).replace(/<\/style/gi, '<\\/style')}</style>`)
  }
  return styles.size ? doc.replace(STYLESHEET, (link) => styles.get(link) ?? link) : doc
}

/** 1-based lines of the Markdown that name `src` in an iframe. */
function linesNaming(markdown: string, src: string): number[] {
  const forms = [...new Set([src, escapeHtml(src)])]
  const out: number[] = []
  markdown.split('\n').forEach((text, i) => {
    if (/<iframe\b/i.test(text) && forms.some((f) => text.includes(f))) out.push(i + 1)
  })
  return out
}

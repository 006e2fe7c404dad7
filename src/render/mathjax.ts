import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

/*
 * MathJax for marp-core 5's `math` option and directive, as SVG with the glyphs as paths, so the
 * math needs no font and shows alike in the HTML, the PDF and the slide pictures.
 *
 * marp-core's own MathJax plugin requires four font extensions, two of which are not published
 * on the npm registry this project installs from, so it cannot load. This module registers a
 * library of the same name in marp-core's math context instead (see registerMathJax), with
 * MathJax 4 (@mathjax/src), the same SVG output (no font cache) and the same TeX packages less
 * those that need the missing fonts (bbm, bboldx, dsfont) and those that let a deck write HTML
 * or links (html, texhtml): decks are untrusted.
 *
 * MathJax 4 loads the rarer glyphs of its font on demand. Its loader is made synchronous here
 * (a `require` of the font's ES module files, which Node 20.19+ allows), so the render stays
 * synchronous and the same formula always gives the same SVG.
 */

const require = createRequire(import.meta.url)

const TEX_PACKAGES = [
  'base',
  'action',
  'ams',
  'amscd',
  'bbox',
  'begingroup',
  'boldsymbol',
  'braket',
  'bussproofs',
  'cancel',
  'cases',
  'centernot',
  'color',
  'colortbl',
  'colorv2',
  'configmacros',
  'empheq',
  'enclose',
  'extpfeil',
  'fontsizev3',
  'gensymb',
  'mathtools',
  'mhchem',
  'newcommand',
  'noerrors',
  'noundefined',
  'physics',
  'setoptions',
  'tagformat',
  'textcomp',
  'textmacros',
  'unicode',
  'units',
  'upgreek',
  'verb',
] as const

// Only the few members of MathJax's objects this module uses.
interface LiteAdaptor {
  outerHTML(node: unknown): string
  textContent(node: unknown): string
  firstChild(node: unknown): unknown
  getAttribute(node: unknown, name: string): string
  setStyle(node: unknown, name: string, value: string): void
}
interface MathDocument {
  convert(tex: string, options: { display: boolean }): unknown
}
interface MathJaxEngine {
  adaptor: LiteAdaptor
  document: MathDocument
  css: string
}

// Strokes of zero width in print: Chromium otherwise draws the glyphs' outlines a hair bolder.
const PRINT_CSS = '@media print{mjx-container[jax=SVG] path[data-c],mjx-container[jax=SVG] use[data-c]{stroke-width:0}}'

let engine: MathJaxEngine | undefined

/** MathJax, loaded on the first formula of the process (most decks have none). */
function mathJax(): MathJaxEngine {
  if (engine) return engine
  const src = path.dirname(require.resolve('@mathjax/src/package.json'))
  const mjs = (file: string): Record<string, unknown> => require(path.join(src, 'mjs', file)) as Record<string, unknown>
  const { mathjax } = mjs('mathjax.js') as { mathjax: { asyncLoad: unknown; asyncIsSynchronous: boolean } }
  // Font parts are named by their CommonJS path (`<font>/js/...`); the ES module beside it is
  // the one that registers with this (ES module) MathJax.
  mathjax.asyncLoad = (name: string) => require(name.replace(/^(@mathjax\/[^/]+)\/js\//, '$1/mjs/'))
  mathjax.asyncIsSynchronous = true
  const { liteAdaptor } = mjs('adaptors/liteAdaptor.js') as { liteAdaptor: () => LiteAdaptor }
  const { RegisterHTMLHandler } = mjs('handlers/html.js') as { RegisterHTMLHandler: (a: LiteAdaptor) => unknown }
  const { SVG } = mjs('output/svg.js') as { SVG: new (o: object) => { addExtension(e: unknown): void; styleSheet(d: unknown): unknown } }
  const { TeX } = mjs('input/tex.js') as { TeX: new (o: object) => unknown }
  for (const pkg of TEX_PACKAGES) {
    const dir = path.join(src, 'mjs/input/tex', pkg)
    const config = readdirSync(dir).find((f) => f.endsWith('Configuration.js'))
    if (config) require(path.join(dir, config))
  }
  const { MathJaxMhchemFontExtension } = require('@mathjax/mathjax-mhchem-font-extension/mjs/svg.js') as Record<string, unknown>
  const adaptor = liteAdaptor()
  const handler = RegisterHTMLHandler(adaptor) as { create(doc: string, o: object): MathDocument }
  const svg = new SVG({ fontCache: 'none' })
  svg.addExtension(MathJaxMhchemFontExtension)
  const document = handler.create('', { InputJax: new TeX({ packages: [...TEX_PACKAGES] }), OutputJax: svg })
  engine = { adaptor, document, css: `${adaptor.textContent(svg.styleSheet(document))}\n${PRINT_CSS}` }
  return engine
}

// The markdown-it and marp-core shapes this module meets.
interface MathToken {
  content: string
  markup: string
}
type MathRule = (tokens: MathToken[], idx: number) => string
interface MathLibrary {
  inlineRenderer: () => MathRule
  blockRenderer: () => MathRule
  css: () => string
  initializeContext: () => object
  context?: object
}
interface MathContext {
  libs: Record<string, MathLibrary>
}

/** marp-core 5.0.2 keeps its math libraries on the Marp instance under this symbol (src/math/context.ts). */
const MATH_CONTEXT = Symbol.for('marp-math-context')

/**
 * Add MathJax to an engine's math libraries, next to the KaTeX plugin's (which must be in use:
 * its registration makes the context this extends). `escape` escapes HTML (markdown-it's), for
 * a formula MathJax cannot take at all.
 */
export function registerMathJax(marp: object, escape: (text: string) => string): void {
  const holder = marp as Record<symbol, MathContext | undefined>
  const context = holder[MATH_CONTEXT]
  if (!context?.libs || typeof context.libs !== 'object' || !context.libs['katex']) {
    throw new Error(
      "marp-core's math context has changed (no 'katex' library under Symbol.for('marp-math-context')): update src/render/mathjax.ts",
    )
  }
  const source = (t: MathToken) => escape(`${t.markup}${t.content}${t.markup}`)
  const inline: MathRule = (tokens, idx) => {
    const token = tokens[idx]!
    try {
      const { adaptor, document } = mathJax()
      return adaptor.outerHTML(document.convert(token.content, { display: false }))
    } catch {
      return source(token)
    }
  }
  const block: MathRule = (tokens, idx) => {
    const token = tokens[idx]!
    try {
      const { adaptor, document } = mathJax()
      const container = document.convert(token.content, { display: true })
      const svg = adaptor.firstChild(container)
      // A display formula takes the line's width and shrinks to fit it, never past its own height.
      const height = adaptor.getAttribute(svg, 'height')
      adaptor.setStyle(container, 'margin', '0')
      adaptor.setStyle(svg, 'display', 'block')
      adaptor.setStyle(svg, 'width', '100%')
      adaptor.setStyle(svg, 'height', 'auto')
      adaptor.setStyle(svg, 'max-height', height)
      return `<p>${adaptor.outerHTML(container)}</p>`
    } catch {
      return `<p>${source(token)}</p>`
    }
  }
  const library: MathLibrary = {
    inlineRenderer: () => inline,
    blockRenderer: () => block,
    css: () => mathJax().css,
    initializeContext: () => ({}),
    context: {},
  }
  holder[MATH_CONTEXT] = { ...context, libs: { ...context.libs, mathjax: library } }
}

const MJX_ERROR = /data-mjx-error="([^"]*)"/
// The noundefined package shows an unknown command as its name in red.
const MJX_UNDEFINED = /data-mml-node="mtext" fill="red" stroke="red" data-latex="([^"]*)"/

/** The error MathJax shows in place of a formula it cannot parse, or the unknown command it shows in red, if any. */
export function mathJaxError(html: string): string | undefined {
  if (!html.includes('<mjx-container')) return undefined
  const error = MJX_ERROR.exec(html)?.[1]
  if (error) return error
  const undefinedCommand = MJX_UNDEFINED.exec(html)?.[1]
  return undefinedCommand ? `Undefined control sequence ${undefinedCommand}` : undefined
}

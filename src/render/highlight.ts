import { createRequire } from 'node:module'
import type { HLJSApi } from 'highlight.js'

/*
 * highlight.js for themes written for it. Marp highlighted with highlight.js up to marp-core 4
 * (marp-cli 4.5.1 still does), so many published themes colour `.hljs-keyword`, `.hljs-string`…
 * and give `pre` their own background. marp-core 5 highlights with shiki, whose tokens carry
 * inline colours from `--marp-shiki-*` variables and whose `<pre>` carries an inline
 * `background-color`, so such a theme loses its code colours and its code background.
 *
 * A deck whose theme styles `.hljs` classes therefore gets what marp-core 4 gave it: highlight.js
 * markup (`<span class="hljs-keyword">` inside `<pre><code class="language-js">`), no inline
 * style. Every other deck keeps shiki. highlight.js is deterministic and synchronous, and is
 * loaded only when the first such deck is rendered.
 */

const require = createRequire(import.meta.url)

let hljs: HLJSApi | undefined

/** A selector on a highlight.js class (`.hljs`, `.hljs-keyword`…). */
const HLJS_SELECTOR = /\.hljs(?:-[\w-]+)?(?![\w-])/
/** A declaration of one of marp-core's shiki variables: the theme is written for shiki. */
const SHIKI_VARIABLE = /--marp-shiki-[\w-]+\s*:/

/** Whether theme CSS (a theme and the themes it imports) is written for highlight.js rather than shiki. */
export function styledForHljs(css: readonly string[]): boolean {
  const text = css.map((c) => c.replace(/\/\*[\s\S]*?\*\//g, ''))
  return text.some((c) => HLJS_SELECTOR.test(c)) && !text.some((c) => SHIKI_VARIABLE.test(c))
}

/**
 * marp-core 4's highlighter: the code's tokens as highlight.js spans, or '' for a language it
 * does not know (markdown-it then writes the code escaped, uncoloured).
 */
export function hljsHighlighter(code: string, lang: string): string {
  hljs ??= require('highlight.js') as HLJSApi
  if (!lang || !hljs.getLanguage(lang)) return ''
  return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value
}

import type { MetadataDefaults } from './metadata.js'

// The render's settings, apart from the theme set: a module of its own and of types only (and
// one picker), so the main thread can pass them to the render worker without loading marp-core.

/** The `math` setting: a library, marp-core's default (`true`: MathJax), or no math. */
export type MathSetting = boolean | 'mathjax' | 'katex'

/** The settings a render takes, apart from the theme set (see RenderContext). */
export interface RenderSettings {
  /** Allow raw HTML in Markdown, as marp-cli's --html. */
  html: boolean
  fetchRemote: boolean
  remoteTimeoutMs: number
  /** Read local files anywhere on disk but /proc, /sys, /dev (marp-cli's --allow-local-files). */
  allowLocalFiles?: boolean
  /** Fetch remote URLs that resolve to loopback, link-local or private addresses. */
  allowPrivateNetwork?: boolean
  /** Largest remote resource embedded, in bytes (default DEFAULT_MAX_REMOTE_BYTES). */
  maxRemoteBytes?: number
  /** Folder where remote web fonts are kept between builds (default: node_modules/.cache/marp-deck-pipeline/remote in the project). */
  cacheDir?: string
  /** Title, description, author, keywords, url and image of decks whose front matter has none. */
  metadata?: MetadataDefaults
  /** Theme of decks whose front matter names none: a theme name or a CSS file (absolute or relative to the deck). */
  theme?: string
  /** `lang` of decks whose front matter has none (the HTML says `en` when neither does). */
  lang?: string
  /** Math library of decks without a `math:` directive: MathJax (`true`, marp-core's default, or `'mathjax'`), `'katex'`, or none (`false`: `$…$` stays text). */
  math?: MathSetting
}

/** Just the render settings of a larger options object (what crosses to the render worker). */
export function renderSettingsOf(o: RenderSettings): RenderSettings {
  return {
    html: o.html,
    fetchRemote: o.fetchRemote,
    remoteTimeoutMs: o.remoteTimeoutMs,
    ...(o.allowLocalFiles !== undefined ? { allowLocalFiles: o.allowLocalFiles } : {}),
    ...(o.allowPrivateNetwork !== undefined ? { allowPrivateNetwork: o.allowPrivateNetwork } : {}),
    ...(o.maxRemoteBytes !== undefined ? { maxRemoteBytes: o.maxRemoteBytes } : {}),
    ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
    ...(o.metadata ? { metadata: o.metadata } : {}),
    ...(o.theme ? { theme: o.theme } : {}),
    ...(o.lang ? { lang: o.lang } : {}),
    ...(o.math !== undefined && o.math !== true ? { math: o.math } : {}),
  }
}

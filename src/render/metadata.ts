import type { Diagnostic } from '../util/diagnostics.js'

/**
 * A deck's document metadata: what the HTML head (title, description, `og:*`, canonical link),
 * the PDF Info dictionary and the PPTX core properties say about it. The keys are marp-cli's
 * front-matter keys. The deck's front matter wins over the project's defaults (config file,
 * flags or API options); the title falls back to the first heading, then the file name.
 */
export interface MetadataDefaults {
  title?: string
  description?: string
  author?: string
  keywords?: string[]
  url?: string
  /** Open Graph picture: a URL, or a local file (made absolute by the config loader). */
  image?: string
}

export interface DeckMetadata {
  title: string
  description?: string
  author?: string
  keywords?: string[]
  /** Canonical address of the HTML deck: an absolute URL. */
  url?: string
  /** Open Graph picture: an absolute URL, or a reference relative to the page (see ogImage). */
  image?: string
  lang?: string
}

export interface MetadataInput {
  file: string
  /** The front matter's entries and the line of each key. */
  data: Record<string, unknown>
  keyLines: ReadonlyMap<string, number>
  firstHeading?: string
  fileTitle: string
  defaults?: MetadataDefaults
  /** `lang` of decks whose front matter has none. */
  lang?: string
}

const TEXT_KEYS = ['title', 'description', 'author', 'url', 'image'] as const

/** A scalar as text (YAML reads `title: 2024` as a number); undefined for nothing or a blank. */
function text(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined
  const s = String(v).trim()
  return s || undefined
}

/** Keywords as marp-cli reads them: a list, or one comma-separated string; blanks and repeats dropped. */
export function keywordList(v: unknown): string[] | undefined {
  const items = Array.isArray(v) ? v.map(text) : typeof v === 'string' ? v.split(',').map(text) : undefined
  if (!items) return undefined
  const list = [...new Set(items.filter((s): s is string => s !== undefined))]
  return list.length ? list : undefined
}

/** A URL with a scheme (`https:`, `data:`), as opposed to a path. A drive letter (`C:\`) is a path. */
const hasScheme = (s: string): boolean => /^[a-z][a-z\d+.-]*:/i.test(s) && !/^[a-z]:[\\/]/i.test(s)

type ImageChoice = { image: string } | { problem: string; hint: string }

/**
 * What `og:image` says. Link previews need an absolute URL, and the HTML deck is one
 * self-contained file, so no local picture is published with it; no file is read for this.
 * - An absolute URL (other than `file:`) is written as given.
 * - In the front matter, as in marp-cli, the value is a URL: a relative one (`cover.png`,
 *   `/img/cover.png`) is resolved against the deck's `url` when there is one (what it means in
 *   the page at that address), else written as given.
 * - A `file:` URL, or a file from the config or a flag (the config loader makes it an absolute
 *   path), is left out with a warning: a local path means nothing to a reader of the page.
 */
export function ogImage(value: string, fromFrontMatter: boolean, url: string | undefined): ImageChoice {
  const hint =
    "Give the address the picture is published at (https://…/cover.png), or in the front matter a path relative to the deck's `url`."
  if (hasScheme(value)) {
    return /^file:/i.test(value)
      ? { problem: `\`image: ${value}\` is a local file, not a URL, so the deck gets no og:image`, hint }
      : { image: value }
  }
  if (!fromFrontMatter) return { problem: `the image ${value} is a local file, not a URL, so the deck gets no og:image`, hint }
  if (/^[a-z]:[\\/]/i.test(value)) return { problem: `\`image: ${value}\` is a local file, not a URL, so the deck gets no og:image`, hint }
  return { image: url ? new URL(value, url).href : value }
}

/** The deck's metadata, with a warning for each front-matter value that cannot be used. */
export function deckMetadata(input: MetadataInput): { meta: DeckMetadata; diagnostics: Diagnostic[] } {
  const { file, data, keyLines, defaults = {} } = input
  const diagnostics: Diagnostic[] = []
  const warn = (key: string, message: string, hint: string) => {
    const line = keyLines.get(key)
    diagnostics.push({ rule: 'directive-value', severity: 'warning', file, ...(line ? { line, slide: 1 } : {}), message, hint })
  }
  const given: Partial<Record<(typeof TEXT_KEYS)[number], string>> = {}
  for (const key of TEXT_KEYS) {
    if (!(key in data) || data[key] === null) continue
    const v = text(data[key])
    if (v !== undefined) given[key] = v
    else if (typeof data[key] !== 'string')
      warn(key, `\`${key}\` in the front matter is not text, so it is ignored`, `Write it as text: \`${key}: "…"\`.`)
  }
  if (given.url !== undefined && !URL.canParse(given.url)) {
    warn(
      'url',
      `\`url: ${given.url}\` is not an absolute URL, so the deck gets no canonical link`,
      'Give the address the deck is published at, e.g. `url: https://example.com/talk/`.',
    )
    delete given.url
  }
  let keywords = defaults.keywords
  if ('keywords' in data && data['keywords'] !== null) {
    const list = keywordList(data['keywords'])
    if (list) keywords = list
    else
      warn(
        'keywords',
        '`keywords` in the front matter is neither a list nor comma-separated text, so it is ignored',
        'Write `keywords: [kubernetes, networking]` or `keywords: kubernetes, networking`.',
      )
  }

  const url = given.url ?? defaults.url
  let image: string | undefined
  const imageValue = given.image ?? defaults.image
  if (imageValue !== undefined) {
    const choice = ogImage(imageValue, given.image !== undefined, url)
    if ('image' in choice) image = choice.image
    else if (given.image !== undefined) warn('image', choice.problem, choice.hint)
    else diagnostics.push({ rule: 'directive-value', severity: 'warning', file, message: choice.problem, hint: choice.hint })
  }
  const title = given.title ?? defaults.title ?? input.firstHeading ?? input.fileTitle
  const description = given.description ?? defaults.description
  const author = given.author ?? defaults.author
  const lang = text(data['lang']) ?? input.lang
  const meta: DeckMetadata = {
    title,
    ...(description ? { description } : {}),
    ...(author ? { author } : {}),
    ...(keywords?.length ? { keywords } : {}),
    ...(url ? { url } : {}),
    ...(image ? { image } : {}),
    ...(lang ? { lang } : {}),
  }
  return { meta, diagnostics }
}

/*
 * Directive values that Marp (marp-core 5.0, Marpit 3.2) ignores or misreads without a word, by
 * directive. What each accepts is read from their sources in node_modules:
 * - `paginate`: true/false, and `hold`/`skip` (Marpit `directives.js`: anything else is false);
 * - `headingDivider`: 1 to 6, a list of them, or false (Marpit drops other levels);
 * - `size`: a preset of the theme's `@size` metadata, imports included (marp-core's size plugin);
 * - `math`: the name of a math library the engine has: mathjax or katex;
 * - `header`/`footer`: text (Marpit ignores a list or a mapping);
 * - `class`: any text, but only CSS identifiers can be selected by a theme;
 * - `lang`: any text, given to the HTML `lang` attribute, so it should be a language tag;
 * - `transition`: marp-cli's: a name and an optional duration, played by the HTML deck;
 * - `background*`: CSS values, set on the slide's style as given.
 * `backgroundColor` and `color` are checked in checks.ts (with the "did you mean class" hint).
 */

export interface DirectiveContext {
  /** The theme the deck renders with. */
  theme: string
  /** The `size` presets that theme offers, e.g. ['16:9', '4:3']. */
  sizes: readonly string[]
}

export interface DirectiveProblem {
  message: string
  hint: string
}

const CSS_WIDE = new Set(['inherit', 'initial', 'unset', 'revert', 'revert-layer'])
const IDENT = /^-?[A-Za-z_\u0080-\uFFFF][\w\u0080-\uFFFF-]*$/
const LENGTH = /^(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:px|em|rem|%|vw|vh|vmin|vmax|cm|mm|in|pt|pc|ex|ch|q)?)$/i
const FUNCTION = /^(?:calc|var|min|max|clamp|env)\(.*\)$/i
const REPEAT = new Set(['repeat', 'repeat-x', 'repeat-y', 'no-repeat', 'space', 'round'])
const SIZE_WORDS = new Set(['auto', 'cover', 'contain'])
const POSITION_WORDS = new Set(['left', 'right', 'top', 'bottom', 'center'])
const IMAGE = /(?:^|[\s,])(?:url|image|image-set|cross-fade|element|(?:repeating-)?(?:linear|radial|conic)-gradient)\(|^none$/i

/** How the author wrote the value, for messages. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(shown).join(', ')}]`
  if (value && typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

const isScalar = (v: unknown): v is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof v)

/** Each comma-separated layer of a CSS value, split into its words, has an allowed shape. */
function cssLayers(value: string, ok: (words: string[]) => boolean): boolean {
  const v = value.trim()
  if (CSS_WIDE.has(v.toLowerCase()) || /\bvar\(/i.test(v)) return true
  return v.split(',').every((layer) => ok(layer.trim().split(/\s+/).filter(Boolean)))
}

const lengthOr = (words: ReadonlySet<string>) => (w: string) => words.has(w.toLowerCase()) || LENGTH.test(w) || FUNCTION.test(w)

function levelsOf(value: unknown): { ok: number[]; bad: string[] } {
  const all = Array.isArray(value) ? value : [value]
  const ok: number[] = []
  const bad: string[] = []
  for (const v of all) {
    const text = String(v).trim()
    if (/^[1-6]$/.test(text)) ok.push(Number(text))
    else bad.push(shown(v))
  }
  return { ok, bad }
}

type Check = (value: unknown, key: string, ctx: DirectiveContext) => DirectiveProblem | undefined

const CHECKS: Record<string, Check> = {
  paginate: (v, key) => {
    if (typeof v === 'boolean' || ['true', 'false', 'hold', 'skip'].includes(String(v).trim().toLowerCase())) return undefined
    return {
      message: `\`${key}: ${shown(v)}\` is not true, false, hold or skip, so Marp reads it as false: no page number`,
      hint: 'Use `paginate: true`; `hold` and `skip` show or hide the number without counting the slide.',
    }
  },
  headingDivider: (v, key) => {
    if (v === false || String(v).trim() === 'false') return undefined
    const { ok, bad } = levelsOf(v)
    if (bad.length === 0 && ok.length > 0) return undefined
    return {
      message: `\`${key}: ${shown(v)}\`: ${bad.join(', ')} ${bad.length > 1 ? 'are not heading levels' : 'is not a heading level'} from 1 to 6, so Marp ${ok.length && Array.isArray(v) ? 'drops it and splits at the other levels' : 'ignores the directive'}`,
      hint: 'Use a level from 1 to 6 (`headingDivider: 2` starts a slide at every `#` and `##` heading), a list of levels, or false.',
    }
  },
  size: (v, key, ctx) => {
    if (ctx.sizes.length === 0 || ctx.sizes.includes(String(v).trim())) return undefined
    return {
      message: `\`${key}: ${shown(v)}\` is not a size of theme \`${ctx.theme}\` (${ctx.sizes.join(', ')}), so Marp ignores it and the slides keep the theme's size`,
      hint: `Use one of ${ctx.sizes.map((s) => `\`${s}\``).join(', ')}, or declare it in the theme's header comment: \`@size ${shown(v)} 1280px 720px\`.`,
    }
  },
  math: (v, key) => {
    const name = typeof v === 'string' ? v.trim() : ''
    if (name === 'katex' || name === 'mathjax') return undefined
    return {
      message: `\`${key}: ${shown(v)}\` is not mathjax or katex, so Marp ignores it and the deck's math uses the default library`,
      hint: "Use `math: mathjax` (marp-core's default) or `math: katex`.",
    }
  },
  header: (v, key) => (v === null || isScalar(v) ? undefined : notText(key, v)),
  footer: (v, key) => (v === null || isScalar(v) ? undefined : notText(key, v)),
  style: (v, key) =>
    v === null || typeof v === 'string'
      ? undefined
      : {
          message: `\`${key}: ${shown(v)}\` is not CSS text, so Marp ignores it`,
          hint: 'Write the CSS as a block: `style: |` and the rules indented below it.',
        },
  class: (v, key) => {
    const names = Array.isArray(v) ? v : [v]
    const bad = names.filter(
      (n) =>
        typeof n !== 'string' ||
        !String(n)
          .trim()
          .split(/\s+/)
          .every((c) => IDENT.test(c)),
    )
    if (bad.length === 0) return undefined
    return {
      message: `\`${key}: ${shown(v)}\`: ${bad.map(shown).join(', ')} is not a class name (one starts with a letter, \`_\` or \`-\`), so no theme rule can select it`,
      hint: 'Use the name of a class the theme defines, e.g. `class: invert`; several go in a list or separated by spaces.',
    }
  },
  lang: (v, key) => {
    const tag = String(v).trim()
    if (valid(tag)) return undefined
    const meant = tag.replace(/_/g, '-')
    return {
      message: `\`${key}: ${shown(v)}\` is not a language tag, so browsers, hyphenation and screen readers cannot use it`,
      hint: `Use a BCP 47 tag such as en, en-US or de-CH${meant !== tag && valid(meant) ? ` (did you mean \`${meant}\`?)` : ''}.`,
    }
  },
  // A name and an optional duration (`fade 0.5s`), played by the HTML deck, as marp-cli does;
  // PDF and PPTX have no transitions, which needs no finding.
  transition: (v, key) =>
    typeof v === 'string' && v.trim()
      ? undefined
      : {
          message: `\`${key}: ${shown(v)}\` is not a transition name, so the HTML deck plays no transition`,
          hint: 'Write a name and an optional duration, such as `transition: fade` or `transition: slide 0.5s`.',
        },
  backgroundImage: (v, key) =>
    IMAGE.test(String(v).trim()) || CSS_WIDE.has(String(v).trim())
      ? undefined
      : {
          message: `\`${key}: ${shown(v)}\` is not a CSS image, so the slide gets no background picture`,
          hint: 'Write `backgroundImage: url(picture.png)`, or put `![bg](picture.png)` on the slide.',
        },
  backgroundRepeat: (v, key) =>
    cssLayers(String(v), (w) => w.length >= 1 && w.length <= 2 && w.every((x) => REPEAT.has(x.toLowerCase())))
      ? undefined
      : {
          message: `\`${key}: ${shown(v)}\` is not a CSS background-repeat value, so it does nothing`,
          hint: 'Use repeat, repeat-x, repeat-y, no-repeat, space or round.',
        },
  backgroundSize: (v, key) =>
    cssLayers(String(v), (w) => w.length >= 1 && w.length <= 2 && w.every(lengthOr(SIZE_WORDS)))
      ? undefined
      : {
          message: `\`${key}: ${shown(v)}\` is not a CSS background-size value, so it does nothing`,
          hint: 'Use cover, contain, auto, or a width and height such as `50% auto`.',
        },
  backgroundPosition: (v, key) =>
    cssLayers(String(v), (w) => w.length >= 1 && w.length <= 4 && w.every(lengthOr(POSITION_WORDS)))
      ? undefined
      : {
          message: `\`${key}: ${shown(v)}\` is not a CSS background-position value, so it does nothing`,
          hint: 'Use keywords (center, top right) or offsets such as `20% 40px`.',
        },
}

function notText(key: string, v: unknown): DirectiveProblem {
  return {
    message: `\`${key}: ${shown(v)}\` is not text, so Marp shows no ${key.replace(/^_/, '')}`,
    hint: `Quote the text: \`${key}: "a, b"\`.`,
  }
}

function valid(tag: string): boolean {
  try {
    return tag !== '' && Intl.getCanonicalLocales(tag).length === 1
  } catch {
    return false
  }
}

/** What is wrong with this directive's value, if Marp would ignore or misread it. */
export function directiveProblem(key: string, value: unknown, ctx: DirectiveContext): DirectiveProblem | undefined {
  const name = key.replace(/^_/, '')
  const check = Object.hasOwn(CHECKS, name) ? CHECKS[name] : undefined
  return check ? check(value, key, ctx) : undefined
}

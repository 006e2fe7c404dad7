/*
 * marp-cli's `transition` directive (local or global: `transition: fade`, `transition: slide
 * 0.5s`), read as marp-cli 4.5.1 reads it, so that the HTML deck's viewer (marp-cli's bespoke
 * script, export/html.ts) plays it with the View Transitions API.
 *
 * Each slide with a transition gets `data-transition` (JSON: name, optional duration, and
 * `builtinFallback` for one of marp-cli's built-in transitions), and the slide after it gets
 * the same value as `data-transition-back`, for going backwards. The viewer looks for keyframes
 * named `marp-…transition…-<name>` in the page's CSS (a theme's or the deck's own) and falls
 * back to the built-in ones (`…-__builtin__<name>`), whose CSS the HTML exporter adds. A PDF or
 * PPTX has no transitions; the attributes do nothing there.
 */

/** The transitions marp-cli 4.5.1 ships keyframes for (`none` turns a transition off). */
export const BUILTIN_TRANSITIONS: readonly string[] = [
  'clockwise',
  'counterclockwise',
  'cover',
  'coverflow',
  'cube',
  'cylinder',
  'diamond',
  'drop',
  'explode',
  'fade',
  'fade-out',
  'fall',
  'flip',
  'glow',
  'implode',
  'in-out',
  'iris-in',
  'iris-out',
  'melt',
  'overlap',
  'pivot',
  'pull',
  'push',
  'reveal',
  'rotate',
  'slide',
  'star',
  'swap',
  'swipe',
  'swoosh',
  'wipe',
  'wiper',
  'zoom',
]
const BUILTIN = new Set(BUILTIN_TRANSITIONS)

export interface TransitionData {
  name: string
  duration?: string
  builtinFallback?: boolean
}

// The markdown-it and Marpit shapes read here.
interface SlideToken {
  type: string
  meta: { marpitDirectives?: { transition?: unknown }; marpitStyleScoped?: { key?: string; keyframeSet?: Set<string> } } | null
  attrSet(name: string, value: string): void
}
interface TransitionMarkdownIt {
  marpit: { customDirectives: { local: Record<string, (value: unknown) => Record<string, unknown>> } }
  core: {
    ruler: { after(after: string, name: string, fn: (state: { tokens: SlideToken[]; inlineMode: boolean }) => void): void }
  }
}

/** A keyframes name of a transition: `marp-[incoming-|outgoing-]transition-[backward-]<name>`. */
const TRANSITION_KEYFRAMES = /^marp-(?:(?:outgoing|incoming)-)?transition-(?:backward-)?(.+)$/

/** `fade`, `slide 0.5s`: the name and the duration, or nothing for a value that is not text. */
function parseTransition(value: unknown): TransitionData | undefined {
  if (typeof value !== 'string') return undefined
  const [name, duration] = value.trim().split(/\s+/)
  if (!name) return undefined
  return duration ? { name, duration } : { name }
}

/** The markdown-it plugin: the directive, and the attributes on each slide. */
export function transitionPlugin(md: TransitionMarkdownIt): void {
  md.marpit.customDirectives.local['transition'] = (value) => {
    const transition = parseTransition(value)
    return transition ? { transition } : {}
  }
  md.core.ruler.after('marpit_directives_apply', 'deck_transition', (state) => {
    if (state.inlineMode) return
    let back: string | undefined
    for (const token of state.tokens) {
      if (token.type === 'marpit_slide_open' && back) {
        token.attrSet('data-transition-back', back)
        back = undefined
      }
      const given = token.meta?.marpitDirectives?.transition
      if (!given || typeof given !== 'object') continue
      const transition: TransitionData = { ...(given as TransitionData) }
      if (BUILTIN.has(transition.name)) transition.builtinFallback = true
      // Keyframes of the slide's own scoped <style> are renamed by Marpit with the scope's key.
      const scoped = token.meta?.marpitStyleScoped
      for (const keyframes of scoped?.key ? (scoped.keyframeSet ?? []) : []) {
        if (TRANSITION_KEYFRAMES.exec(keyframes)?.[1] === transition.name) {
          transition.name = `${transition.name}-${scoped!.key}`
          delete transition.builtinFallback
          break
        }
      }
      back = JSON.stringify(transition)
      token.attrSet('data-transition', back)
    }
  })
}

/** The built-in transitions a rendered deck's slides ask for (from their `data-transition` attributes). */
export function builtinTransitionsOf(html: string): string[] {
  const names = new Set<string>()
  for (const m of html.matchAll(/\sdata-transition(?:-back)?="([^"]*)"/g)) {
    try {
      const data = JSON.parse(m[1]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as TransitionData
      if (data.builtinFallback && BUILTIN.has(data.name)) names.add(data.name)
    } catch {
      // Not ours: written by hand in raw HTML.
    }
  }
  return [...names].sort()
}

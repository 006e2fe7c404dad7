import type { DeckFacts } from '../render/facts.js'
import { slideOfLine } from '../render/slides.js'

/**
 * HTML comments of a deck with their line and slide, outside code fences. Marp turns comments
 * into directives or speaker notes and keeps no trace of the ones it cannot parse as YAML (the
 * `<!-- lint disable … -->` switches, a stray `@auto-scaling: true`), so lint reads the source.
 */
export interface SourceComment {
  /** 1-based line where the comment starts. */
  line: number
  slide: number
  /** Text between `<!--` and `-->`, trimmed. */
  text: string
}

/** Line ranges [start, end] of code fences, from the opening to the closing fence line. */
function fenceRanges(facts: DeckFacts): Array<[number, number]> {
  return facts.fences.map((f) => [f.line, f.line + f.lines + 1])
}

// Content rules and the slide switches both read the comments of the same render.
const scanned = new WeakMap<DeckFacts, SourceComment[]>()

export function sourceComments(markdown: string, facts: DeckFacts): SourceComment[] {
  let out = scanned.get(facts)
  if (!out) {
    out = scan(markdown, facts)
    scanned.set(facts, out)
  }
  return out
}

function scan(markdown: string, facts: DeckFacts): SourceComment[] {
  const fences = fenceRanges(facts)
  const out: SourceComment[] = []
  const re = /<!--([\s\S]*?)-->/g
  let line = 1
  let scanned = 0
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    for (let i = scanned; i < m.index; i += 1) if (markdown.charCodeAt(i) === 10) line += 1
    scanned = m.index
    if (fences.some(([a, b]) => line > a && line < b)) continue
    out.push({ line, slide: slideOfLine(facts, line), text: (m[1] ?? '').trim() })
  }
  return out
}

import type { DeckFacts } from '../engine.js'

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

/** The slide a line belongs to: the last slide starting at or before it (1 before the first). */
export function slideOfLine(facts: DeckFacts, line: number): number {
  let slide = 1
  for (const s of facts.slides) {
    if (s.line <= line) slide = s.slide
    else break
  }
  return slide
}

/** Line ranges [start, end] of code fences, from the opening to the closing fence line. */
function fenceRanges(facts: DeckFacts): Array<[number, number]> {
  return facts.fences.map((f) => [f.line, f.line + f.lines + 1])
}

export function sourceComments(markdown: string, facts: DeckFacts): SourceComment[] {
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

import type { DeckFacts } from './facts.js'

// Its own module, apart from engine.ts: lint needs it on the main thread of a build, which does
// not load marp-core (the render runs in a worker, see render-worker.ts).

/** The slide a line belongs to: the last slide starting at or before it (1 before the first). */
export function slideOfLine(facts: Pick<DeckFacts, 'slides'>, line: number): number {
  let slide = 1
  for (const s of facts.slides) {
    if (s.line <= line) slide = s.slide
    else break
  }
  return slide
}

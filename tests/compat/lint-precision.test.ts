import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RULES } from '../../src/index.js'
import { parseLintConfig } from '../../src/lint/config.js'
import { installLint } from '../../src/lint/index.js'
import { reviewFindings } from '../../src/lint/suppress.js'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { buildOptions, tempProject } from '../helpers/project.js'

/**
 * Lint reports what the author can act on: nothing for content hidden on purpose (KaTeX's MathML
 * copy, screen-reader text, a box the theme clips by design), one `theme-contrast` finding for a
 * built-in theme's own colours, and still every real overflow.
 */
const MATH = '$$\n\\sum_{i=1}^{n} i^2 = \\frac{n(n+1)(2n+1)}{6}\n$$\n\nInline $e^{i\\pi} + 1 = 0$ and $\\sqrt{x^2+y^2}$.\n'
const CODE = '```js\nconst answer = 42\nconsole.log(`the answer is ${answer}`)\n```\n'

const decks: Record<string, string> = {
  'slides/math.md': `---\nmarp: true\nmath: katex\n---\n\n# Math\n\n${MATH}\n---\n\n## More math\n\n${MATH}`,
  'slides/mathjax.md': `---\nmarp: true\nmath: mathjax\n---\n\n# MathJax\n\n${MATH}`,
  'slides/math-overflow.md': `---\nmarp: true\nmath: katex\n---\n\n# Too much math\n\n${Array.from({ length: 9 }, () => MATH).join('\n')}`,
  'slides/gaia-code.md': `---\nmarp: true\ntheme: gaia\n---\n\n# Code on gaia\n\n${CODE}\n---\n\n## Again\n\n${CODE}\n---\n\n<!-- _class: invert -->\n\n## Inverted\n\n${CODE}`,
  'slides/gaia-coloured.md': `---\nmarp: true\ntheme: gaia\n---\n\n# Own colours\n\n<!-- _color: "#999" -->\n<!-- _backgroundColor: "#aaa" -->\n\nGrey on grey, set by the deck.\n`,
  'slides/sr-only.md': [
    '---',
    'marp: true',
    'style: |',
    '  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }',
    '  section blockquote { height: 40px; overflow: hidden; }',
    '---',
    '',
    '# Hidden on purpose',
    '',
    '<span class="sr-only">A long text for screen readers only, which would take many lines if it were shown on the slide at all.</span>',
    '',
    '> A quote the deck clips',
    '> over more lines',
    '> than its box holds',
    '> so it is cut',
    '',
  ].join('\n'),
  'slides/gaia-header.md': `---\nmarp: true\ntheme: gaia\nheader: ${'A very long header that wraps over several lines in the fixed-height box gaia gives it '.repeat(2)}\n---\n\n# Header\n`,
}

let project: { dir: string; cleanup: () => Promise<void> }
let builder: Builder
const results = new Map<string, DeckResult>()

beforeAll(async () => {
  project = await tempProject(decks)
  builder = new Builder(buildOptions(project.dir, { formats: ['pdf'], html: true }))
  await builder.init()
  installLint(builder)
  for (const name of Object.keys(decks)) results.set(name, await builder.inspectDeck(path.join(project.dir, name)))
})

afterAll(async () => {
  await builder?.close()
  await project?.cleanup()
})

const rules = (name: string) => results.get(name)!.diagnostics.map((d) => d.rule)

describe('lint precision', () => {
  it('a math slide gives no overflow finding (KaTeX hides its MathML copy on purpose)', () => {
    expect(results.get('slides/math.md')!.errors).toEqual([])
    expect(rules('slides/math.md')).toEqual([])
  })

  it('nor with MathJax (its assistive MathML is hidden on purpose too)', () => {
    expect(results.get('slides/mathjax.md')!.errors).toEqual([])
    expect(rules('slides/mathjax.md')).toEqual([])
  })

  it('a real overflow on a math slide still gives its finding', () => {
    const overflow = results.get('slides/math-overflow.md')!.diagnostics.filter((d) => d.rule === 'overflow')
    expect(overflow).toHaveLength(1)
    expect(overflow[0]!.message).toMatch(/past the bottom/)
  })

  it('stock gaia code blocks: exactly one theme-contrast finding at the theme line, no per-block contrast finding', () => {
    const list = results.get('slides/gaia-code.md')!.diagnostics
    expect(list.filter((d) => d.rule === 'contrast')).toEqual([])
    const theme = list.filter((d) => d.rule === 'theme-contrast')
    expect(theme).toHaveLength(1)
    expect(theme[0]).toMatchObject({ line: 3, severity: 'warning' })
    expect(theme[0]!.message).toContain('the built-in theme gaia')
    expect(theme[0]!.hint).toContain('"theme-contrast": "off"')
  })

  it('a project turns just those off with lint.rules, and keeps the rest', () => {
    const cfg = parseLintConfig({ rules: { 'theme-contrast': 'off' } }, 'deck.config.json')
    const r = results.get('slides/gaia-code.md')!
    const kept = reviewFindings(r.deck!, r.diagnostics, cfg).map((d) => d.rule)
    expect(kept).not.toContain('theme-contrast')
    expect(kept).toContain('remote-resource') // gaia's web font, offline
    expect(RULES.map((rule) => rule.id)).toContain('theme-contrast')
  })

  it('colours the deck sets on gaia stay contrast findings of their slide', () => {
    expect(rules('slides/gaia-coloured.md').filter((r) => r !== 'remote-resource')).toEqual(['contrast'])
  })

  it('screen-reader text is not reported; a box the deck clips is', () => {
    const list = results.get('slides/sr-only.md')!.diagnostics
    expect(list.map((d) => [d.rule, d.message.replace(/\d+px/, 'Npx')])).toEqual([
      ['overflow', 'slide 1: <blockquote> hides Npx of its own content (bottom)'],
    ])
  })

  it('a header gaia clips by design is not reported', () => {
    expect(rules('slides/gaia-header.md').filter((r) => r === 'overflow')).toEqual([])
  })
})

import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { sortDiagnostics, type Diagnostic } from '../../src/util/diagnostics.js'
import { LINT_DEFAULTS, type LintConfig } from '../../src/lint/config.js'
import { checkContent } from '../../src/lint/content.js'
import { reviewFindings } from '../../src/lint/suppress.js'
import { renderDeck, renderSource, type RenderContext, type RenderedDeck } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { FIXTURES, ROOT, SEED } from '../helpers/project.js'

// The Markdown-level rules, as the build and `deck lint` run them: render diagnostics plus the
// content checks, through the project's and slides' switches.
const LINT = path.join(FIXTURES, 'lint')

let ctx: RenderContext
beforeAll(async () => {
  const themes = new ThemeRegistry(ROOT)
  await themes.addPath(path.join(ROOT, 'css'))
  ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
})

const findings = (deck: RenderedDeck, config: LintConfig = LINT_DEFAULTS): Diagnostic[] =>
  sortDiagnostics(reviewFindings(deck, [...deck.diagnostics, ...checkContent(deck)], config))

const brief = (list: Diagnostic[]) => list.map((d) => ({ rule: d.rule, slide: d.slide, line: d.line }))

async function lintFixture(name: string, config?: LintConfig): Promise<Diagnostic[]> {
  return findings(await renderDeck(path.join(LINT, name), ctx), config)
}

describe('one problem per fixture', () => {
  it.each([
    ['empty-bullet.md', 'empty-list-item', 1, 9],
    ['empty-slide.md', 'empty-slide', 2, 8],
    ['heading-skip.md', 'heading-skip', 1, 8],
    ['unknown-directive.md', 'unknown-directive', 2, 10],
    ['missing-image.md', 'missing-image', 1, 8],
    ['unknown-language.md', 'unknown-language', 1, 8],
  ])('%s: %s on slide %i, line %i', async (name, rule, slide, line) => {
    expect(brief(await lintFixture(name))).toEqual([{ rule, slide, line }])
  })

  it('says where theme metadata belongs', async () => {
    const [d] = await lintFixture('unknown-directive.md')
    expect(d?.message).toContain('`@auto-scaling` is theme CSS metadata')
    expect(d?.hint).toContain('theme CSS')
  })

  it.each(['clean.md', 'clean-palette.md', 'overflow.md', 'code-size.md', 'contrast.md', 'disabled.md'])(
    '%s has no Markdown-level finding',
    async (name) => {
      expect(await lintFixture(name)).toEqual([])
    },
  )
})

describe('the seed deck', () => {
  it('finds the front matter, the colour directive and the empty bullet, on their lines', async () => {
    const list = findings(await renderDeck(SEED, ctx))
    expect(brief(list)).toEqual([
      { rule: 'front-matter', slide: undefined, line: 6 },
      { rule: 'directive-value', slide: 2, line: 15 },
      { rule: 'empty-list-item', slide: 8, line: 56 },
    ])
    expect(list[1]?.message).toContain('did you mean `class: bg-secondary`?')
  })
})

describe('directives', () => {
  const deck = (md: string) => renderSource(path.join(ROOT, 'slides/x.md'), md, ctx)

  it('flags unknown front matter keys and near misses in comments, not speaker notes', async () => {
    const d = await deck(
      '---\nmarp: true\npaginat: true\ntags: demo\n---\n\n# A\n\n<!-- _colour: red -->\n<!-- Note: say hello -->\n<!-- _foo: 1 -->\n',
    )
    const list = findings(d).filter((x) => x.rule === 'unknown-directive')
    expect(list.map((x) => [x.line, x.message])).toEqual([
      [3, expect.stringContaining('did you mean `paginate`?')],
      [4, expect.stringContaining('`tags` in the front matter is not a Marp directive')],
      [9, expect.stringContaining('did you mean `_color`?')],
      [11, expect.stringContaining('`_foo` is not a Marp directive')],
    ])
  })
})

describe('turning rules off', () => {
  it('per project: deck.config.json rules "off" drops the rule, a severity replaces it', async () => {
    const seed = await renderDeck(SEED, ctx)
    const list = findings(seed, { ...LINT_DEFAULTS, rules: { 'front-matter': 'off', 'empty-list-item': 'error' } })
    expect(list.map((d) => `${d.rule}:${d.severity}`)).toEqual(['directive-value:warning', 'empty-list-item:error'])
  })

  it('per slide: <!-- lint disable rule --> silences it on that slide only', async () => {
    const md = '---\nmarp: true\n---\n\n- one\n- \n\n---\n\n<!-- lint disable empty-list-item -->\n\n- two\n- \n'
    const d = await renderSource(path.join(ROOT, 'slides/x.md'), md, ctx)
    expect(brief(findings(d))).toEqual([{ rule: 'empty-list-item', slide: 1, line: 6 }])
    // Marp keeps the switch out of the speaker notes.
    expect(d.notes.join('')).toBe('')
  })

  it('a bare <!-- lint disable --> silences every rule on the slide; a typo is reported', async () => {
    const md = '---\nmarp: true\n---\n\n<!-- lint disable -->\n\n# A\n\n### B\n\n---\n\n<!-- lint disable overflw -->\n\n- \n'
    const d = await renderSource(path.join(ROOT, 'slides/x.md'), md, ctx)
    expect(brief(findings(d))).toEqual([
      { rule: 'unknown-directive', slide: 2, line: 13 },
      { rule: 'empty-list-item', slide: 2, line: 15 },
    ])
  })
})

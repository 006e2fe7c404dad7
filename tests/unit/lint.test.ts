import { describe, expect, it } from 'vitest'
import type { DeckResult } from '../../src/pipeline/types.js'
import { toReport } from '../../src/pipeline/report.js'
import { pickReporter } from '../../src/cli/lint.js'
import type { Diagnostic } from '../../src/util/diagnostics.js'
import { parseLintConfig } from '../../src/lint/config.js'
import { nearestDirective } from '../../src/lint/content.js'
import { findingsBySlide, overflowingSlides } from '../../src/lint/index.js'
import { toGithub, toHuman, toJson } from '../../src/lint/report.js'
import { RULES } from '../../src/lint/rules.js'

const d = (over: Partial<Diagnostic>): Diagnostic => ({
  rule: 'overflow',
  severity: 'warning',
  file: '/p/slides/a.md',
  message: 'm',
  ...over,
})
const result = (diagnostics: Diagnostic[], errors: unknown[] = []): DeckResult => ({
  file: '/p/slides/a.md',
  outputs: [],
  diagnostics,
  errors,
  renderMs: 0,
})
const report = (diagnostics: Diagnostic[], errors: unknown[] = []) => toReport(result(diagnostics, errors))

describe('config', () => {
  it('validates rules and settings', () => {
    expect(parseLintConfig({ strict: true, minCodeFontPx: 10, rules: { overflow: 'off', contrast: 'error' } }, 'f')).toEqual({
      strict: true,
      minCodeFontPx: 10,
      rules: { overflow: 'off', contrast: 'error' },
    })
    expect(parseLintConfig(undefined, 'f')).toEqual({ strict: false, minCodeFontPx: 12, rules: {} })
    for (const bad of [{ rules: { overflw: 'off' } }, { rules: { overflow: 'nope' } }, { strict: 'yes' }, { minCodeFontPx: -1 }, []]) {
      expect(() => parseLintConfig(bad, 'f')).toThrow(/deck\.config\.json/)
    }
  })
})

describe('rules', () => {
  it('have unique, stable ids', () => {
    const ids = RULES.map((r) => r.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(
      expect.arrayContaining([
        'overflow',
        'code-size',
        'contrast',
        'front-matter',
        'unknown-directive',
        'directive-value',
        'theme',
        'missing-image',
        'remote-resource',
        'unknown-language',
        'empty-list-item',
        'empty-slide',
        'heading-skip',
      ]),
    )
  })

  it('suggest the directive a typo meant', () => {
    expect(nearestDirective('paginat')).toBe('paginate')
    expect(nearestDirective('backgroundcolour')).toBe('backgroundColor')
    expect(nearestDirective('Note')).toBeUndefined()
  })
})

describe('reports', () => {
  const list = [
    d({ rule: 'overflow', line: 63, slide: 9, message: 'slide 9 overflows', hint: 'Shorten it', px: 92 }),
    d({ rule: 'front-matter', line: 6, message: 'bad: YAML, 100%' }),
    d({ rule: 'code-size', line: 224, slide: 14, message: 'tiny', px: 2.6 }),
  ]

  it('JSON: version 1 schema with nulls for unknown fields, sorted by line, summary by rule', () => {
    const json = toJson({ results: [report(list)], failed: true }, '/p')
    expect(json).toEqual({
      version: 1,
      decks: [
        {
          file: 'slides/a.md',
          slides: 0,
          errors: [],
          findings: [
            { rule: 'front-matter', severity: 'warning', line: 6, slide: null, message: 'bad: YAML, 100%', hint: null, px: null },
            { rule: 'overflow', severity: 'warning', line: 63, slide: 9, message: 'slide 9 overflows', hint: 'Shorten it', px: 92 },
            { rule: 'code-size', severity: 'warning', line: 224, slide: 14, message: 'tiny', hint: null, px: 2.6 },
          ],
        },
      ],
      summary: { decks: 1, findings: 3, errors: 0, warnings: 3, failed: true, byRule: { 'code-size': 1, 'front-matter': 1, overflow: 1 } },
    })
  })

  it('GitHub: one escaped workflow command per finding, on the Markdown line', () => {
    const lines = toGithub({ results: [report(list, [new Error('no browser')])], failed: true }, '/p').split('\n')
    expect(lines).toEqual([
      '::error file=slides/a.md,title=deck lint::no browser',
      '::warning file=slides/a.md,line=6,title=front-matter::bad: YAML, 100%25',
      '::warning file=slides/a.md,line=63,title=overflow (slide 9)::slide 9 overflows%0AShorten it',
      '::warning file=slides/a.md,line=224,title=code-size (slide 14)::tiny',
    ])
  })

  it('human: grouped by deck, then whole-deck findings, then slide by slide', () => {
    const text = toHuman({ results: [report(list)], failed: false }, '/p')
    expect(text.split('\n')).toEqual([
      'slides/a.md (3 findings)',
      '  deck',
      '    slides/a.md:6  warning  bad: YAML, 100%  [front-matter]',
      '  slide 9',
      '    slides/a.md:63  warning  slide 9 overflows  [overflow]',
      '      Shorten it',
      '  slide 14',
      '    slides/a.md:224  warning  tiny  [code-size]',
      '1 deck linted: 3 findings',
    ])
  })

  it('picks GitHub annotations inside GitHub Actions, JSON with --json, else human', () => {
    expect(pickReporter({}, { GITHUB_ACTIONS: 'true' })).toBe('github')
    expect(pickReporter({}, {})).toBe('human')
    expect(pickReporter({ json: true }, { GITHUB_ACTIONS: 'true' })).toBe('json')
    expect(pickReporter({ reporter: 'human' }, { GITHUB_ACTIONS: 'true' })).toBe('human')
    expect(() => pickReporter({ reporter: 'xml' }, {})).toThrow(/unknown reporter/)
  })
})

describe('for the preview', () => {
  it('lists overflowing slides and groups findings by slide', () => {
    const list = [
      d({ slide: 12 }),
      d({ rule: 'code-size', slide: 3 }),
      d({ rule: 'contrast', slide: 5 }),
      d({ slide: 12 }),
      d({ rule: 'front-matter' }),
    ]
    expect(overflowingSlides(result(list))).toEqual([3, 12])
    const by = findingsBySlide(list)
    expect([...by.keys()].sort((a, b) => a - b)).toEqual([0, 3, 5, 12])
    expect(by.get(12)).toHaveLength(2)
  })
})

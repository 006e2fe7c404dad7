import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS } from '../../src/config/schema.js'
import { RULES } from '../../src/lint/rules.js'
import { ExitCode } from '../../src/util/errors.js'
import { ROOT } from '../helpers/project.js'

// The README and docs/ describe the code's own lists (rules, exit codes, config keys); these
// tests fail when one of those lists changes and the docs do not.
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8')

/** The rows of the Markdown table that follows `heading` (first cell of each row, backticks kept). */
function firstCells(text: string, heading: string): string[] {
  const start = text.indexOf(`\n${heading}\n`)
  expect(start, `${heading} in the text`).toBeGreaterThanOrEqual(0)
  const rest = text.slice(start + heading.length + 2)
  const section = rest.slice(0, rest.search(/\n## /) === -1 ? undefined : rest.search(/\n## /))
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !/^\|\s*-/.test(l))
    .slice(1)
    .map((l) => l.split('|')[1]!.trim())
}

describe('README', () => {
  it('lists every lint rule id in RULES, in order, and no other', () => {
    const ids = firstCells(README, '## Lint rules').map((c) => c.replace(/`/g, ''))
    expect(ids).toEqual(RULES.map((r) => r.id))
  })

  it('explains every exit code', () => {
    const codes = firstCells(README, '## Exit codes').flatMap((c) => c.split(',').map((n) => Number(n.trim())))
    expect(codes).toEqual(expect.arrayContaining(Object.values(ExitCode)))
    expect(codes).toEqual(expect.arrayContaining([130, 143, 129]))
  })

  it('has a row for every config key', () => {
    const cells = firstCells(README, '## The config file').join(' ')
    for (const key of CONFIG_KEYS) expect(cells, key).toMatch(new RegExp(`\`${key}[\`.]`))
  })

  it('stays a front door: under 300 lines', () => {
    expect(README.split('\n').length).toBeLessThan(300)
  })
})

describe('links in README.md and docs/', () => {
  const files = [
    'README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ]
  for (const file of files) {
    it(`${file}: every relative link points at a file that exists`, () => {
      // Code (fenced blocks and inline spans) shows Markdown; it links nowhere.
      const text = readFileSync(path.join(ROOT, file), 'utf8')
        .replace(/```[\s\S]*?```/g, '')
        .replace(/`[^`\n]*`/g, '')
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/i.test(l) && !l.startsWith('#'))
      for (const link of links) {
        const target = path.resolve(path.dirname(path.join(ROOT, file)), link.split('#')[0]!)
        expect(existsSync(target), `${file} → ${link}`).toBe(true)
      }
    })
  }
})

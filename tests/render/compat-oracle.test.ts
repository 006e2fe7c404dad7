import { execFile } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { cp, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { load, type CheerioAPI } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderDeck, type RenderContext } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { FIXTURES, ROOT } from '../helpers/project.js'

/**
 * marp-cli 4.5.1 (with its own marp-core 4) is the oracle: for decks it renders, we must give
 * the same slides. Compared structurally: count, order, classes, directives as data attributes,
 * pagination, headers, footers, backgrounds, notes.
 */
const run = promisify(execFile)
const MARP = path.join(ROOT, 'node_modules/.bin/marp')

const COMPAT = path.join(FIXTURES, 'compat')
/** The compatibility fixtures' own themes (a theme importing a web font…), beside the project's css/. */
const THEMES = path.join(COMPAT, 'themes')

/** Decks that need raw HTML (marp-cli's --html, our html option). */
const needsHtml = (name: string): boolean => /iframe|raw-html/.test(name)

/**
 * Every deck of the compatibility set (tests/fixtures/compat: ours, and the hljs-*, math-*,
 * transition-* and lean-* decks of the theme work) has marp-cli's slide count; those whose slides
 * should agree in every respect are compared whole, notes included.
 */
const FIXTURE_SET = readdirSync(COMPAT)
  .filter((n) => n.endsWith('.md'))
  .sort()
const WHOLE = ['features.md', 'four-three.md', 'iframe.md', 'webfont.md', 'raw-html.md', 'lean-default.md']

let themes: ThemeRegistry
let tmp: string
/** marp-cli's HTML (bare template) and notes of each fixture, by file name. */
const theirs = new Map<string, { html: string; notes: string }>()

beforeAll(async () => {
  themes = new ThemeRegistry(ROOT)
  await themes.addPath(path.join(ROOT, 'css'))
  await themes.addPath(THEMES)
  tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-oracle-'))
  // One marp-cli run per output kind and --html setting, over a folder of the decks (marp-cli
  // starts slowly); outside our project, so it resolves its own marp-core 4 as a user's install would.
  for (const html of [false, true]) {
    const group = FIXTURE_SET.filter((n) => needsHtml(n) === html)
    if (!group.length) continue
    const input = path.join(tmp, html ? 'decks-html' : 'decks')
    await mkdir(input)
    for (const name of group) await cp(path.join(COMPAT, name), path.join(input, name))
    const common = ['--no-stdin', '--theme-set', path.join(ROOT, 'css'), THEMES, ...(html ? ['--html'] : []), '-I', input]
    await run(MARP, [...common, '--template', 'bare', '-o', `${input}.out`], { cwd: tmp })
    await run(MARP, [...common, '--notes', '-o', `${input}.notes`], { cwd: tmp })
    for (const name of group) {
      const base = name.replace(/\.md$/, '')
      theirs.set(name, {
        html: await readFile(path.join(`${input}.out`, `${base}.html`), 'utf8'),
        notes: await readFile(path.join(`${input}.notes`, `${base}.txt`), 'utf8'),
      })
    }
  }
}, 120_000)
afterAll(() => rm(tmp, { recursive: true, force: true }))

const contextFor = (name: string): RenderContext => ({ themes, html: needsHtml(name), fetchRemote: false, remoteTimeoutMs: 500 })

interface SlideShape {
  classes: string
  paginate: string | undefined
  header: string
  footer: string
  backgroundColor: string | undefined
  backgrounds: number
  headings: string[]
}

function shape($: CheerioAPI): SlideShape[] {
  return $('section[id]')
    .toArray()
    .map((el) => {
      const s = $(el)
      const svg = s.closest('svg')
      return {
        classes: (s.attr('class') ?? '').split(/\s+/).filter(Boolean).sort().join(' '),
        paginate: s.attr('data-paginate'),
        header: s.find('header').text(),
        footer: s.find('footer').text(),
        backgroundColor: s.attr('data-background-color'),
        backgrounds: svg.find('figure').length,
        headings: s
          .find('h1,h2,h3')
          .toArray()
          .map((h) => $(h).text().trim()),
      }
    })
}

describe('same slides as marp-cli 4.5.1', () => {
  it('the compatibility set covers each case of issue #13 that has a fixture', () => {
    for (const name of ['iframe.md', 'webfont.md']) expect(FIXTURE_SET).toContain(name)
  })

  for (const name of FIXTURE_SET) {
    it(`renders ${name} like marp-cli`, async () => {
      const file = path.join(COMPAT, name)
      const ours = await renderDeck(file, contextFor(name))
      const oracle = theirs.get(name)!
      const slides = shape(load(oracle.html))
      expect(ours.slideCount).toBe(slides.length)
      if (!WHOLE.includes(name)) return
      expect(shape(load(ours.html))).toEqual(slides)
      // marp-cli --notes writes one block per slide, separated by `---` lines (nothing at all
      // when no slide has notes).
      const expected = oracle.notes.trim() ? oracle.notes.split(/\n*^---$\n*/m).map((n) => n.trim()) : ours.notes.map(() => '')
      expect(ours.notes).toEqual(expected)
    })
  }
})

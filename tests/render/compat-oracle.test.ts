import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
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

let ctx: RenderContext
let tmp: string
beforeAll(async () => {
  const themes = new ThemeRegistry(ROOT)
  await themes.addPath(path.join(ROOT, 'css'))
  ctx = { themes, html: false, fetchRemote: false, remoteTimeoutMs: 500 }
  tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-oracle-'))
})
afterAll(() => rm(tmp, { recursive: true, force: true }))

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

async function oracle(deck: string): Promise<{ slides: SlideShape[]; notes: string }> {
  const name = path.basename(deck, '.md')
  const html = path.join(tmp, `${name}.html`)
  const notes = path.join(tmp, `${name}.txt`)
  const args = [deck, '--no-stdin', '--theme-set', path.join(ROOT, 'css'), '--template', 'bare']
  // Outside our project, so marp-cli resolves its own marp-core 4 as a user's install would.
  await run(MARP, [...args, '-o', html], { cwd: tmp })
  await run(MARP, [deck, '--no-stdin', '--notes', '-o', notes], { cwd: tmp })
  return { slides: shape(load(await readFile(html, 'utf8'))), notes: await readFile(notes, 'utf8') }
}

describe('same slides as marp-cli 4.5.1', () => {
  for (const name of ['features.md', 'four-three.md']) {
    it(`renders ${name} like marp-cli`, async () => {
      const file = path.join(FIXTURES, 'compat', name)
      const ours = await renderDeck(file, ctx)
      const theirs = await oracle(file)
      expect(shape(load(ours.html))).toEqual(theirs.slides)
      // marp-cli --notes writes one block per slide, separated by `---` lines (nothing at all
      // when no slide has notes).
      const expected = theirs.notes.trim() ? theirs.notes.split(/\n*^---$\n*/m).map((n) => n.trim()) : ours.notes.map(() => '')
      expect(ours.notes).toEqual(expected)
    })
  }
})

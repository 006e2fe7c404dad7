import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { readPdf } from '../helpers/outputs.js'
import { buildOptions, FIXTURES, tempProject } from '../helpers/project.js'

/**
 * `--html` iframes (tests/fixtures/compat/iframe.md): a local page inside the project is inlined
 * as `srcdoc` with its stylesheet and picture, so its text is in the PDF and the HTML loads
 * nothing; a remote page is not fetched and gets a finding at its line.
 */
let project: { dir: string; cleanup: () => Promise<void> }
let result: DeckResult

beforeAll(async () => {
  project = await tempProject()
  await cp(path.join(FIXTURES, 'compat'), path.join(project.dir, 'slides/compat'), { recursive: true })
  const builder = new Builder(buildOptions(project.dir, { formats: ['html', 'pdf'], html: true }))
  await builder.init()
  try {
    result = await builder.buildDeck(path.join(project.dir, 'slides/compat/iframe.md'))
  } finally {
    await builder.close()
  }
})

afterAll(() => project?.cleanup())

describe('iframes with --html', () => {
  it('prints a local page inside the slide: its text is in the PDF', async () => {
    expect(result.errors).toEqual([])
    const pdf = await readPdf(path.join(project.dir, 'dist/compat/iframe.pdf'))
    expect(pdf.pages).toBe(2)
    expect(pdf.text[0]).toContain('Framed page text')
    expect(pdf.text[0]).toContain('Inside the iframe')
  })

  it('inlines the page with its own stylesheet and picture in the HTML', async () => {
    const $ = load(await readFile(path.join(project.dir, 'dist/compat/iframe.html'), 'utf8'))
    const local = $('iframe[srcdoc]')
    expect(local.length).toBe(1)
    expect(local.attr('src')).toBeUndefined()
    const doc = local.attr('srcdoc') ?? ''
    expect(doc).toContain('Framed page text')
    expect(doc).toContain('.note { color: #0b3d91; }')
    expect(doc).toMatch(/<img src="data:image\/png;base64,/)
    expect(doc).not.toContain('page.css')
  })

  it('does not fetch a remote page: one finding at its line, saying what to do', () => {
    const remote = result.diagnostics.filter((d) => d.message.includes('https://example.com/embed'))
    expect(remote).toHaveLength(1)
    expect(remote[0]).toMatchObject({ rule: 'remote-resource', line: 13, slide: 2 })
    expect(remote[0]!.hint).toMatch(/inside the project|screenshot/)
    expect(result.diagnostics.filter((d) => d.rule === 'local-file')).toEqual([])
  })
})

import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import type { DeckResult } from '../../src/pipeline/types.js'
import { pngSize, topLeftPixel } from '../helpers/outputs.js'
import { buildOptions, FIXTURES, ROOT, tempProject } from '../helpers/project.js'

/**
 * The web-font fixture of the compatibility set (tests/fixtures/compat/webfont.md, its theme in
 * compat/themes/) against marp-cli 4.5.1's own picture of its first slide: where the two must
 * agree whatever the font (the theme's page colour, the slide size), they do. Offline, the theme's
 * Google Fonts import is one warning at the theme's line and gone from the outputs.
 */
const run = promisify(execFile)
const MARP = path.join(ROOT, 'node_modules/.bin/marp')
const COMPAT = path.join(FIXTURES, 'compat')

let project: { dir: string; cleanup: () => Promise<void> }
let tmp: string
let ours: DeckResult
let theirs: Uint8Array

beforeAll(async () => {
  project = await tempProject()
  await cp(path.join(COMPAT, 'webfont.md'), path.join(project.dir, 'slides/webfont.md'))
  const builder = new Builder(buildOptions(project.dir, { formats: ['png'], themeSets: [path.join(COMPAT, 'themes')] }))
  await builder.init()
  try {
    ours = await builder.buildDeck(path.join(project.dir, 'slides/webfont.md'))
  } finally {
    await builder.close()
  }
  // marp-cli's picture of the title slide, outside our project (its own marp-core 4).
  tmp = await mkdtemp(path.join(os.tmpdir(), 'deck-oracle-png-'))
  const out = path.join(tmp, 'webfont.png')
  await run(
    MARP,
    [path.join(COMPAT, 'webfont.md'), '--no-stdin', '--theme-set', path.join(COMPAT, 'themes'), '--image', 'png', '-o', out],
    {
      cwd: tmp,
    },
  )
  theirs = await readFile(out)
}, 120_000)

afterAll(async () => {
  await project?.cleanup()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('a theme importing a web font, against marp-cli 4.5.1', () => {
  it('paints the first slide with the same page colour and size as marp-cli', async () => {
    expect(ours.errors).toEqual([])
    const first = await readFile(path.join(project.dir, 'dist/webfont.001.png'))
    expect(topLeftPixel(theirs)).toBe('#fdf6e3')
    expect(topLeftPixel(first)).toBe(topLeftPixel(theirs))
    expect(pngSize(first)).toEqual(pngSize(theirs))
  })

  it('offline: one warning at the theme line, naming the URL', () => {
    const warnings = ours.diagnostics.filter((d) => d.rule === 'remote-resource')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ file: path.join(COMPAT, 'themes/webfont.css'), line: 4 })
    expect(warnings[0]!.message).toContain('https://fonts.googleapis.com/css2?family=Lato')
  })
})

import { cp, readFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { buildOptions, FIXTURES, SEED, tempProject } from '../helpers/project.js'
import { packageProblems, xmlProblem } from './structure.js'

/*
 * The package rules PowerPoint enforces (see ./structure.ts) on the PPTX files the pipeline
 * writes: the seed and the fixture decks of tests/fixtures/pptx. And the checker itself, on
 * packages broken on purpose, so that a pass means something.
 */

let cleanup: () => Promise<void>
const packages = new Map<string, Uint8Array>()

beforeAll(async () => {
  const p = await tempProject()
  cleanup = p.cleanup
  await cp(path.join(FIXTURES, 'pptx'), path.join(p.dir, 'slides'), { recursive: true })
  await cp(SEED, path.join(p.dir, 'slides/cni-deep-dive.md'))
  const builder = new Builder(buildOptions(p.dir, { formats: ['pptx'] }))
  try {
    await builder.init()
    for (const deck of ['cni-deep-dive', 'default', 'gaia', 'palette-3', 'uncover']) {
      const result = await builder.buildDeck(path.join(p.dir, `slides/${deck}.md`))
      expect(result.errors).toEqual([])
      packages.set(deck, new Uint8Array(await readFile(result.outputs.find((o) => o.format === 'pptx')!.file)))
    }
  } finally {
    await builder.close()
  }
}, 300_000)

afterAll(async () => {
  await cleanup?.()
})

describe('the PPTX packages the pipeline writes', () => {
  it.each(['cni-deep-dive', 'default', 'gaia', 'palette-3', 'uncover'])(
    '%s: ids, relationships and content types as PowerPoint wants them',
    async (deck) => {
      const zip = await JSZip.loadAsync(packages.get(deck)!)
      expect(await packageProblems(zip)).toEqual([])
      // One slide id and one notes page per slide.
      const pres = await zip.file('ppt/presentation.xml')!.async('string')
      const slides = Object.keys(zip.files).filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))
      expect([...pres.matchAll(/<p:sldId /g)]).toHaveLength(slides.length)
    },
  )
})

describe('the package checker', () => {
  const broken = async (change: (zip: JSZip) => Promise<void>) => {
    const zip = await JSZip.loadAsync(packages.get('palette-3')!)
    await change(zip)
    return packageProblems(zip)
  }
  const edit = async (zip: JSZip, name: string, f: (xml: string) => string) => {
    zip.file(name, f(await zip.file(name)!.async('string')))
  }

  it('finds a relationship to a missing part, a part without a content type, repeated shape and slide ids', async () => {
    expect(await broken(async (zip) => void zip.remove('ppt/slides/slide2.xml'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/presentation\.xml\.rels: rId\d+ targets a missing part ppt\/slides\/slide2\.xml/)]),
    )
    expect(await broken(async (zip) => void zip.file('ppt/extra.bin', 'x'))).toEqual(['ppt/extra.bin: no content type'])
    const dupShape = await broken((zip) => edit(zip, 'ppt/slides/slide1.xml', (xml) => xml.replace(/(<p:cNvPr\s[^>]*?\bid=")\d+/g, '$12')))
    expect(dupShape.some((p) => /slide1\.xml: shape id 2 twice/.test(p))).toBe(true)
    const dupSlide = await broken((zip) =>
      edit(zip, 'ppt/presentation.xml', (xml) => xml.replace(/(<p:sldId\s[^>]*?\bid=")\d+/g, (_, start: string) => `${start}300`)),
    )
    expect(dupSlide).toContain('ppt/presentation.xml: sldId 300 twice')
    const badRid = await broken((zip) =>
      edit(zip, 'ppt/slides/slide1.xml', (xml) => xml.replace('<p:spTree>', '<p:spTree><a:hlinkClick r:id="rId999"/>')),
    )
    expect(badRid.some((p) => p.includes('uses rId999'))).toBe(true)
  })

  it('finds XML that is not well-formed', () => {
    expect(xmlProblem('<?xml version="1.0"?><a><b x="1"/><c>t &amp; u</c></a>')).toBeUndefined()
    expect(xmlProblem('<a><b></a>')).toBe('</a> closes <b>')
    expect(xmlProblem('<a x="1" x="2"/>')).toBe('<a> repeats an attribute')
    expect(xmlProblem('<a>t & u</a>')).toBe('an unescaped "&"')
    expect(xmlProblem('<a>')).toBe('<a> never closed')
  })
})

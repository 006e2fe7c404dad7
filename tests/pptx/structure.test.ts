import { cp, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { buildOptions, FIXTURES, SEED, tempProject } from '../helpers/project.js'
import { schemaErrors } from './schema.js'
import { packageProblems, xmlProblem } from './structure.js'

/*
 * The package rules PowerPoint enforces (see ./structure.ts), and the Open XML SDK's schema
 * validation (./schema.ts), on the PPTX files the pipeline writes: the seed (editable and
 * picture) and the fixture decks of tests/fixtures/pptx. And both checkers on packages broken on
 * purpose, so that a pass means something.
 */

const DECKS = ['cni-deep-dive', 'default', 'effects', 'gaia', 'palette-3', 'uncover']
let dir: string
let cleanup: () => Promise<void>
const packages = new Map<string, Uint8Array>()
const files = new Map<string, string>()

beforeAll(async () => {
  const p = await tempProject()
  dir = p.dir
  cleanup = p.cleanup
  await cp(path.join(FIXTURES, 'pptx'), path.join(dir, 'slides'), { recursive: true })
  await cp(SEED, path.join(dir, 'slides/cni-deep-dive.md'))
  for (const pptxMode of ['editable', 'picture'] as const) {
    const builder = new Builder(buildOptions(dir, { formats: ['pptx'], pptxMode, outDir: path.join(dir, pptxMode), html: true }))
    try {
      await builder.init()
      for (const deck of pptxMode === 'editable' ? DECKS : ['cni-deep-dive']) {
        const result = await builder.buildDeck(path.join(dir, `slides/${deck}.md`))
        expect(result.errors).toEqual([])
        const file = result.outputs.find((o) => o.format === 'pptx')!.file
        const name = pptxMode === 'editable' ? deck : `${deck} (picture)`
        files.set(name, file)
        packages.set(name, new Uint8Array(await readFile(file)))
      }
    } finally {
      await builder.close()
    }
  }
}, 300_000)

afterAll(async () => {
  await cleanup?.()
})

describe('the PPTX packages the pipeline writes', () => {
  const ALL = [...DECKS, 'cni-deep-dive (picture)']

  it.each(ALL)('%s: ids, relationships and content types as PowerPoint wants them', async (deck) => {
    const zip = await JSZip.loadAsync(packages.get(deck)!)
    expect(await packageProblems(zip)).toEqual([])
    // One slide id and one notes page per slide.
    const pres = await zip.file('ppt/presentation.xml')!.async('string')
    const slides = Object.keys(zip.files).filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))
    expect([...pres.matchAll(/<p:sldId /g)]).toHaveLength(slides.length)
  })

  it.each(ALL)('%s: valid for the Open XML SDK, for Office 2007 and for Microsoft 365', async (deck) => {
    expect(await schemaErrors(files.get(deck)!, 'Office2007')).toEqual([])
    expect(await schemaErrors(files.get(deck)!)).toEqual([])
  })
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

  it('the schema validation finds the notes master list where pptxgenjs writes it, and an unknown attribute', async () => {
    const zip = await JSZip.loadAsync(packages.get('palette-3')!)
    await edit(zip, 'ppt/presentation.xml', (xml) => {
      const notes = /<p:notesMasterIdLst>.*?<\/p:notesMasterIdLst>/s.exec(xml)![0]
      return xml.replace(notes, '').replace('</p:sldIdLst>', `</p:sldIdLst>${notes}`)
    })
    await edit(zip, 'ppt/slides/slide1.xml', (xml) => xml.replace('<p:cNvPr ', '<p:cNvPr wrong="1" '))
    const file = path.join(dir, 'broken.pptx')
    await writeFile(file, await zip.generateAsync({ type: 'uint8array' }))
    const errors = await schemaErrors(file)
    expect(errors).toHaveLength(2)
    expect(errors[0]).toMatch(/^\/ppt\/presentation\.xml .*unexpected child element .*notesMasterIdLst/)
    expect(errors[1]).toMatch(/^\/ppt\/slides\/slide1\.xml .*wrong/)
  })

  it('finds XML that is not well-formed', () => {
    expect(xmlProblem('<?xml version="1.0"?><a><b x="1"/><c>t &amp; u</c></a>')).toBeUndefined()
    expect(xmlProblem('<a><b></a>')).toBe('</a> closes <b>')
    expect(xmlProblem('<a x="1" x="2"/>')).toBe('<a> repeats an attribute')
    expect(xmlProblem('<a>t & u</a>')).toBe('an unescaped "&"')
    expect(xmlProblem('<a>')).toBe('<a> never closed')
  })
})

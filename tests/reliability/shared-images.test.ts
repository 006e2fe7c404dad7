import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { topLeftPixel } from '../helpers/outputs.js'
import { makePng } from '../helpers/png.js'
import { buildOptions, tempProject } from '../helpers/project.js'

/**
 * A picture used on many slides is embedded once: one object in the HTML that every use
 * references, in the HTML deck and in the print page the PDF and pictures come from.
 */
let seed = 7
const noise = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256
// Red on top, noise below: large enough to be shared, and a known colour in each slide's corner.
const PICTURE = makePng(600, 400, (_x, y) => (y < 100 ? [255, 0, 0] : [noise(), noise(), noise()]))

let dir: string
let cleanup: () => Promise<void>
let builder: Builder
let html: string

beforeAll(async () => {
  const p = await tempProject({ 'slides/pic.png': PICTURE })
  dir = p.dir
  cleanup = p.cleanup
  const slides = [
    '![bg](pic.png)\n\n# One',
    '![bg](pic.png)\n\n# Two',
    '![bg](pic.png)\n\n# Three',
    '# Four\n\n![](pic.png)\n\n![w:300](pic.png)',
  ]
  await writeFile(path.join(dir, 'slides/shared.md'), `---\nmarp: true\n---\n\n${slides.join('\n\n---\n\n')}\n`)
  builder = new Builder(buildOptions(dir, { formats: ['html', 'png'] }))
  await builder.init()
  const result = await builder.buildDeck(path.join(dir, 'slides/shared.md'))
  expect(result.errors).toEqual([])
  html = await readFile(path.join(dir, 'dist/shared.html'), 'utf8')
})

afterAll(async () => {
  await builder?.close()
  await cleanup?.()
})

describe('a picture used on every slide', () => {
  it('is in the HTML once, however often it is used', () => {
    const payload = PICTURE.toString('base64')
    expect(html.split(payload).length - 1).toBe(1)
    expect(html.length).toBeLessThan(payload.length * 1.5 + 600_000)
  })

  it('still shows on every slide: backgrounds in the slide pictures', async () => {
    for (const n of ['001', '002', '003']) {
      expect(topLeftPixel(await readFile(path.join(dir, `dist/shared.${n}.png`)))).toBe('#ff0000')
    }
  })

  it('still shows as an image at its own size, with and without a width, in the HTML deck', async () => {
    const sizes = await builder.browser.withPage(async (page) => {
      await page.goto(`file://${path.join(dir, 'dist/shared.html')}`, { waitUntil: 'load' })
      return page.evaluate(() =>
        [...document.querySelectorAll('section img')].map((img) => {
          const r = img.getBoundingClientRect()
          return { width: Math.round(r.width), ratio: Math.round((r.height / r.width) * 100) / 100 }
        }),
      )
    })
    expect(sizes).toHaveLength(2)
    for (const s of sizes) expect(s.ratio).toBe(0.67)
    expect(sizes[0]!.width).toBeGreaterThan(300)
  })
})

import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { afterEach, describe, expect, it } from 'vitest'
import { isCssColour, themeHasClass } from '../../src/render/checks.js'
import { buildDate, parseFormats } from '../../src/config/options.js'
import { DeckError, ExitCode } from '../../src/util/errors.js'
import { writeFileAtomic } from '../../src/util/atomic-write.js'
import { classifyUrl, inlineAssets, localPath } from '../../src/render/assets.js'
import { PictureStore } from '../../src/export/pptx-pictures.js'
import { RenderCaches } from '../../src/render/caches.js'
import { writeZip, zipPart } from '../../src/export/zip.js'
import JSZip from 'jszip'
import { PNG_1PX, ROOT, tempProject } from '../helpers/project.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

describe('writeFileAtomic', () => {
  it('replaces the file and leaves no temp file', async () => {
    const p = await tempProject()
    cleanup = p.cleanup
    const file = path.join(p.dir, 'out', 'a.txt')
    await writeFileAtomic(file, 'first')
    await writeFileAtomic(file, 'second')
    expect(await readFile(file, 'utf8')).toBe('second')
    expect(await readdir(path.dirname(file))).toEqual(['a.txt'])
  })

  it('keeps the previous output when the write fails', async () => {
    const p = await tempProject()
    cleanup = p.cleanup
    // The target is a non-empty folder: rename fails after the temp file was written.
    const target = path.join(p.dir, 'out', 'deck.pdf')
    await mkdir(target, { recursive: true })
    await writeFile(path.join(target, 'keep'), 'old')
    await expect(writeFileAtomic(target, 'new')).rejects.toThrow()
    expect(await readFile(path.join(target, 'keep'), 'utf8')).toBe('old')
    expect((await readdir(path.dirname(target))).filter((n) => n.includes('.tmp-'))).toEqual([])
  })

  it('leaves no temp file when the process exits mid-write (Ctrl-C during a build)', async () => {
    const p = await tempProject()
    cleanup = p.cleanup
    const out = path.join(p.dir, 'out')
    // The compiled module, as the CLI runs it (`npm test` compiles first). The process exits while
    // 300 MB are still being written and flushed.
    const script = `
      import { existsSync, readdirSync } from 'node:fs'
      import { removeLeftovers, writeFileAtomic } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'lib/src/util/atomic-write.js')).href)}
      // The exit hook the CLI installs (installProcessHooks).
      process.once('exit', removeLeftovers)
      void writeFileAtomic(${JSON.stringify(path.join(out, 'deck.pdf'))}, Buffer.alloc(300 * 2 ** 20, 1))
      const started = setInterval(() => {
        if (!existsSync(${JSON.stringify(out)}) || readdirSync(${JSON.stringify(out)}).length === 0) return
        clearInterval(started)
        console.log(readdirSync(${JSON.stringify(out)}).join(','))
        process.exit(130)
      }, 1)
    `
    const child = await promisify(execFile)('node', ['--input-type=module', '-e', script]).catch((e: { code: number; stdout: string }) => e)
    expect(child).toMatchObject({ code: 130 })
    expect((child as { stdout: string }).stdout).toMatch(/^\.deck\.pdf\.tmp-/)
    expect(await readdir(out)).toEqual([])
  })
})

describe('colour directives', () => {
  it('knows CSS colours from class names', () => {
    for (const ok of ['#fff', '#E2EAF6', 'steelblue', 'rgb(1 2 3)', 'hsl(10 20% 30%)', 'transparent', 'var(--x)']) {
      expect(isCssColour(ok), ok).toBe(true)
    }
    for (const bad of ['bg-secondary', '#ggg', 'blue-ish', '']) expect(isCssColour(bad), bad).toBe(false)
  })

  it('finds slide classes in theme CSS', () => {
    const css = 'section.bg-secondary { background: red } section.font-xs { font-size: 1px }'
    expect(themeHasClass(css, 'bg-secondary')).toBe(true)
    expect(themeHasClass(css, 'bg')).toBe(false)
    expect(themeHasClass(css, 'font-xs')).toBe(true)
  })
})

describe('options', () => {
  it('parses formats and rejects unknown ones with a usage error', () => {
    expect(parseFormats(undefined)).toEqual(['html', 'pdf', 'pptx'])
    expect(parseFormats('pdf, png,pdf')).toEqual(['pdf', 'png'])
    try {
      parseFormats('pdf,docx')
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(DeckError)
      expect((e as DeckError).code).toBe(ExitCode.USAGE)
      expect((e as DeckError).message).toContain('docx')
    }
  })

  it('takes the build date from SOURCE_DATE_EPOCH, never the clock', () => {
    expect(buildDate({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString()).toBe('2023-11-14T22:13:20.000Z')
    expect(buildDate({}).toISOString()).toBe('2000-01-01T00:00:00.000Z')
  })
})

describe('asset URLs', () => {
  it('classifies and resolves deck-relative paths', () => {
    expect(classifyUrl('https://x.test/a.png')).toBe('remote')
    expect(classifyUrl('//x.test/a.png')).toBe('remote')
    expect(classifyUrl('data:image/png;base64,AA')).toBe('inline')
    expect(classifyUrl('../img/a b.png')).toBe('local')
    expect(localPath('../img/a%20b.png', '/p/slides')).toBe('/p/img/a b.png')
    expect(localPath('img/x.png?v=1', '/p/slides')).toBe('/p/slides/img/x.png')
  })
})

describe('inlineAssets', () => {
  it('inlines what the page loads and leaves look-alike text alone', async () => {
    const p = await tempProject({ 'slides/logo.png': PNG_1PX })
    cleanup = p.cleanup
    const html = [
      '<img src="logo.png" alt="">',
      '<figure style="background-image:url(&quot;logo.png&quot;);"></figure>',
      '<style>section{background:url("logo.png")}</style>',
      '<pre><code>background: url(logo.png); &lt;img src="logo.png"&gt;</code></pre>',
    ].join('\n')
    const policy = {
      roots: [p.dir],
      allowLocalFiles: false,
      fetchRemote: false,
      allowPrivateNetwork: false,
      maxRemoteBytes: 1e6,
      remoteTimeoutMs: 100,
    }
    const out = await inlineAssets(html, '', { baseDir: path.join(p.dir, 'slides'), policy, media: new RenderCaches().media })
    const lines = out.html.split('\n')
    expect(lines[0]).toMatch(/^<img src="data:image\/png;base64,/)
    expect(lines[1]).toContain('url(&quot;data:image/png;base64,')
    expect(lines[2]).toContain('url("data:image/png;base64,')
    expect(lines[3]).toBe('<pre><code>background: url(logo.png); &lt;img src="logo.png"&gt;</code></pre>')
    expect(out.problems).toEqual([])
  })
})

describe('PictureStore (PPTX pictures on disk until packed)', () => {
  it('gives back the last picture of each slide, nothing for others, and leaves no folder', async () => {
    const store = await PictureStore.create()
    store.put(0, Uint8Array.from([1, 2, 3]))
    store.put(3, Uint8Array.from([4]))
    store.put(0, Uint8Array.from([9, 9]))
    expect(Array.from((await store.get(0))!)).toEqual([9, 9])
    expect(Array.from((await store.get(3))!)).toEqual([4])
    expect(await store.get(1)).toBeUndefined()
    const dir = (store as unknown as { dir: string }).dir
    expect(existsSync(dir)).toBe(true)
    await store.dispose()
    expect(existsSync(dir)).toBe(false)
  })
})

describe('writeZip (the PPTX package)', () => {
  const date = new Date('2024-03-05T06:07:08Z')
  const xml = new TextEncoder().encode('<a>' + 'repeated text '.repeat(200) + '</a>')
  const png = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)
  const parts = () => [
    zipPart('[Content_Types].xml', xml, true),
    zipPart('ppt/media/é.png', png, false),
    zipPart('empty.txt', new Uint8Array(), true),
  ]

  it('reads back with JSZip, CRCs checked, in order, deflating only what shrinks', async () => {
    const bytes = writeZip(parts(), date)
    const zip = await JSZip.loadAsync(bytes, { checkCRC32: true })
    expect(Object.keys(zip.files)).toEqual(['[Content_Types].xml', 'ppt/media/é.png', 'empty.txt'])
    expect(await zip.file('[Content_Types].xml')!.async('uint8array')).toEqual(xml)
    expect(await zip.file('ppt/media/é.png')!.async('uint8array')).toEqual(png)
    expect((await zip.file('empty.txt')!.async('uint8array')).byteLength).toBe(0)
    const [text, picture, empty] = parts()
    expect([text!.method, picture!.method, empty!.method]).toEqual([8, 0, 0])
    expect(text!.payload.byteLength).toBeLessThan(xml.byteLength / 10)
    // Every entry carries the given date (UTC, to the 2-second step of the format).
    for (const f of Object.values(zip.files)) expect(f.date.toISOString()).toBe('2024-03-05T06:07:08.000Z')
  })

  it('gives the same bytes for the same parts, and other bytes for another date', () => {
    const a = Buffer.from(writeZip(parts(), date))
    expect(a.equals(Buffer.from(writeZip(parts(), date)))).toBe(true)
    expect(a.equals(Buffer.from(writeZip(parts(), new Date('2024-03-05T06:07:10Z'))))).toBe(false)
  })

  it("stamps dates before 1980 (e.g. SOURCE_DATE_EPOCH=0) as 1980-01-01, the format's first day", async () => {
    const zip = await JSZip.loadAsync(writeZip(parts(), new Date(0)))
    expect(zip.files['empty.txt']!.date.toISOString()).toBe('1980-01-01T00:00:00.000Z')
  })
})

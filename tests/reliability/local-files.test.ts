import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { PDFDict, PDFDocument, PDFName, PDFNumber } from 'pdf-lib'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { renderSource } from '../../src/render/render.js'
import { ThemeRegistry } from '../../src/render/themes.js'
import { readPptx } from '../helpers/outputs.js'
import { solidPng } from '../helpers/png.js'
import { ROOT, tempProject } from '../helpers/project.js'

/**
 * The local-file policy, end to end through the CLI: a deck from a stranger names files of the
 * machine in every way a deck can, and no byte of them reaches any output.
 */
const run = promisify(execFile)
const CLI = path.join(ROOT, 'bin/deck.js')
const ENV_MARKER = 'deck-secret-4f1c9a'
const FAKE_MARKER = 'not-an-image-7b2e'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

/** Every data: URI payload of an HTML page, decoded. */
const dataPayloads = (html: string): Buffer[] =>
  [...html.matchAll(/data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)/g)].map((m) => Buffer.from(m[1]!, 'base64'))

/** Width × height of every image XObject in a PDF. */
async function pdfImages(file: string): Promise<string[]> {
  const doc = await PDFDocument.load(await readFile(file), { updateMetadata: false })
  const out: string[] = []
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    const dict = 'dict' in obj ? (obj as { dict: PDFDict }).dict : undefined
    if (!dict || dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue
    const size = (k: string) => (dict.get(PDFName.of(k)) as PDFNumber).asNumber()
    out.push(`${size('Width')}x${size('Height')}`)
  }
  return out.sort()
}

interface Attack {
  dir: string
  deck: string
  secretPng: Buffer
  okPng: Buffer
}

/** A project whose deck names outside files; the outside folder sits beside the project. */
async function attackProject(withTheme: boolean): Promise<Attack> {
  const outside = await mkdtemp(path.join(os.tmpdir(), 'deck-outside-'))
  const secretPng = solidPng(7, 5, [0, 200, 0])
  await writeFile(path.join(outside, 'secret.png'), secretPng)
  const okPng = solidPng(3, 2, [200, 0, 0])
  const p = await tempProject({ 'slides/ok.png': okPng, 'slides/fake.png': `${FAKE_MARKER}\n` })
  cleanups.push(p.cleanup, () => rm(outside, { recursive: true, force: true }))
  await symlink(path.join(outside, 'secret.png'), path.join(p.dir, 'slides/link.png'))
  const relOutside = path.relative(path.join(p.dir, 'slides'), path.join(outside, 'secret.png'))
  const deck = [
    '---', // 1
    'marp: true', // 2
    withTheme ? 'theme: ../../../../../../etc/passwd' : 'paginate: false', // 3
    '---', // 4
    '', // 5
    '# Trust', // 6
    '![](/proc/self/environ)', // 7
    '', // 8
    '![](/etc/passwd)', // 9
    '', // 10
    '![](link.png)', // 11
    '', // 12
    `![](${relOutside})`, // 13
    '', // 14
    '![](fake.png)', // 15
    '', // 16
    '![](ok.png)', // 17
    '', // 18
    '<img src="/etc/hostname">', // 19
    '', // 20
    `<div style="background-image:url('/etc/passwd')">x</div>`, // 21
    '',
  ].join('\n')
  await writeFile(path.join(p.dir, 'slides/x.md'), deck)
  return { dir: p.dir, deck: path.join(p.dir, 'slides/x.md'), secretPng, okPng }
}

async function build(dir: string, extra: string[] = []): Promise<{ code: number; out: string }> {
  const args = [CLI, 'build', 'slides/x.md', '--format', 'html,pdf,pptx', '--html', ...extra]
  const env = { ...process.env, DECK_TEST_SECRET: ENV_MARKER }
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: dir, env })
    return { code: 0, out: stdout + stderr }
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string }
    return { code: err.code, out: err.stdout + err.stderr }
  }
}

const warningLines = (out: string): number[] =>
  [...out.matchAll(/slides\/x\.md:(\d+)(?: \(slide \d+\))?: warning: .*\[local-file\]/g)].map((m) => Number(m[1])).sort((a, b) => a - b)

beforeAll(async () => {
  // The CLI runs the compiled lib/; `npm test` compiles it first.
  await readFile(path.join(ROOT, 'lib/src/cli/main.js'))
})

describe('local-file policy', () => {
  it('leaves out /proc, /etc, an outside symlink, an outside ../ path, a fake image, raw HTML and styles: one warning per line, exit 0', async () => {
    const a = await attackProject(true)
    const { code, out } = await build(a.dir)
    expect(code, out).toBe(0)
    expect(warningLines(out)).toEqual([3, 7, 9, 11, 13, 15, 19, 21])
    expect(out).toContain('--allow-local-files')

    const html = await readFile(path.join(a.dir, 'dist/x.html'), 'utf8')
    const passwd = await readFile('/etc/passwd', 'utf8')
    const hostname = await readFile('/etc/hostname', 'utf8').catch(() => 'no-hostname-file')
    for (const payload of dataPayloads(html)) {
      const text = payload.toString('latin1')
      expect(text).not.toContain(ENV_MARKER)
      expect(text).not.toContain(FAKE_MARKER)
      expect(text).not.toContain(passwd.split('\n')[0])
      expect(payload.equals(a.secretPng)).toBe(false)
      if (hostname.trim().length > 3) expect(text).not.toContain(hostname.trim())
    }
    expect(html).not.toContain(ENV_MARKER)
    expect(html).toContain(a.okPng.toString('base64'))
    expect(html).not.toContain(a.secretPng.toString('base64'))

    // The PDF holds the one allowed picture (3x2), never the outside one (7x5).
    const images = await pdfImages(path.join(a.dir, 'dist/x.pdf'))
    expect(images).toContain('3x2')
    expect(images).not.toContain('7x5')
    const pptx = await readPptx(path.join(a.dir, 'dist/x.pptx'))
    expect(pptx.slides).toBe(1)
    for (const name of Object.keys(pptx.zip.files)) {
      const bytes = Buffer.from(await pptx.zip.file(name)!.async('uint8array'))
      expect(bytes.includes(ENV_MARKER)).toBe(false)
      expect(bytes.includes(FAKE_MARKER)).toBe(false)
    }
  })

  it('embeds outside images with --allow-local-files, still never /proc, /etc or a file that is not an image', async () => {
    const a = await attackProject(false)
    const { code, out } = await build(a.dir, ['--allow-local-files'])
    expect(code, out).toBe(0)
    expect(warningLines(out)).toEqual([7, 9, 15, 19, 21])
    const html = await readFile(path.join(a.dir, 'dist/x.html'), 'utf8')
    expect(html).toContain(a.secretPng.toString('base64'))
    for (const payload of dataPayloads(html)) expect(payload.toString('latin1')).not.toContain(ENV_MARKER)
    expect(await pdfImages(path.join(a.dir, 'dist/x.pdf'))).toContain('7x5')
  })
})

describe('theme files and their url()s', () => {
  it("embeds a picture beside the theme through the policy, and leaves out one outside the project at the deck's theme line", async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'deck-outside-'))
    const secret = solidPng(7, 5, [0, 200, 0])
    await writeFile(path.join(outside, 'secret.png'), secret)
    const picture = solidPng(5, 3, [0, 0, 200])
    const p = await tempProject({ 'themes/bg.png': picture })
    cleanups.push(p.cleanup, () => rm(outside, { recursive: true, force: true }))
    // The outside picture, named relative to the theme's folder.
    const fromTheme = path.relative(path.join(p.dir, 'themes'), path.join(outside, 'secret.png'))
    const css = [
      '/* @theme pictured */',
      "section { background-image: url('bg.png'); }",
      `h1 { background: url("${fromTheme}") }`,
      '',
    ].join('\n')
    await writeFile(path.join(p.dir, 'themes/pictured.css'), css)
    const themes = new ThemeRegistry(p.dir)
    await themes.addProject(['themes'])
    const deck = await renderSource(path.join(p.dir, 'slides/t.md'), '---\nmarp: true\ntheme: pictured\n---\n\n# Pictured\n', {
      themes,
      html: false,
      fetchRemote: false,
      remoteTimeoutMs: 100,
    })
    expect(deck.css).toContain(picture.toString('base64'))
    expect(deck.css).not.toContain(secret.toString('base64'))
    expect(deck.css).not.toContain('file:')
    const refused = deck.diagnostics.filter((d) => d.rule === 'local-file')
    expect(refused).toHaveLength(1)
    expect(refused[0]).toMatchObject({ line: 3 })
    expect(refused[0]!.message).toMatch(/^theme pictured: \/.*\/secret\.png was left out: it is outside the project$/)
  })
})

import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const exec = promisify(execFile)

/** A poppler tool, with a message that names the package when it is not installed. */
async function run(tool: string, args: string[], opts: { timeout: number; maxBuffer: number }): Promise<{ stdout: string }> {
  try {
    return await exec(tool, args, { ...opts, encoding: 'utf8' })
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${tool} is not installed: install poppler-utils (scripts/install-pptx-check.sh)`, { cause: e })
    throw e
  }
}

/** An 8-bit RGB picture (pdftoppm's PPM). */
export interface Picture {
  width: number
  height: number
  /** width × height × 3 bytes, row by row. */
  rgb: Uint8Array
}

/** A binary PPM (P6, maxval 255), as pdftoppm writes it. */
export function readPpm(data: Uint8Array): Picture {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  // Header: "P6", width, height, maxval, each after whitespace (comments are not written by pdftoppm).
  const fields: string[] = []
  let at = 0
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(buf[at]!))) at += 1
    const start = at
    while (!/\s/.test(String.fromCharCode(buf[at]!))) at += 1
    fields.push(buf.toString('latin1', start, at))
  }
  at += 1 // the single whitespace byte after maxval
  const [magic, w, h, max] = fields
  if (magic !== 'P6' || max !== '255') throw new Error(`not an 8-bit binary PPM (${magic}, maxval ${max})`)
  const width = Number(w)
  const height = Number(h)
  return { width, height, rgb: new Uint8Array(buf.buffer, buf.byteOffset + at, width * height * 3) }
}

/**
 * Root-mean-square difference of two pictures of the same size, over every channel of every
 * pixel, normalised to 0..1 (0: identical; 1: black against white everywhere). This is what
 * ImageMagick's `compare -metric RMSE` prints in brackets.
 */
export function rmse(a: Picture, b: Picture): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} and ${b.width}×${b.height}`)
  let sum = 0
  for (let i = 0; i < a.rgb.length; i += 1) {
    const d = a.rgb[i]! - b.rgb[i]!
    sum += d * d
  }
  return Math.sqrt(sum / a.rgb.length) / 255
}

/**
 * Every page of a PDF as a picture `width` px wide (and `height` high when given, else as the page's
 * aspect gives), with poppler's pdftoppm. Pages in order.
 */
export async function rasterize(
  pdf: string,
  outDir: string,
  size: { width: number; height?: number },
  timeoutMs = 120_000,
): Promise<Picture[]> {
  const prefix = path.join(outDir, 'page')
  const args = ['-scale-to-x', String(size.width), '-scale-to-y', String(size.height ?? -1), pdf, prefix]
  await run('pdftoppm', args, { timeout: timeoutMs, maxBuffer: 16 * 2 ** 20 })
  const files = (await readdir(outDir)).filter((f) => /^page-\d+\.ppm$/.test(f))
  files.sort((x, y) => Number(/\d+/.exec(x)![0]) - Number(/\d+/.exec(y)![0]))
  return Promise.all(files.map(async (f) => readPpm(await readFile(path.join(outDir, f)))))
}

/** The text of each page of a PDF, as poppler's pdftotext reads it (`-f i -l i`, reading order). */
export async function pdfPageTexts(pdf: string, pages: number, timeoutMs = 60_000): Promise<string[]> {
  const out: string[] = []
  for (let i = 1; i <= pages; i += 1) {
    const { stdout } = await run('pdftotext', ['-f', String(i), '-l', String(i), '-enc', 'UTF-8', pdf, '-'], {
      timeout: timeoutMs,
      maxBuffer: 16 * 2 ** 20,
    })
    out.push(stdout)
  }
  return out
}

import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { inflateSync } from 'node:zlib'

/**
 * PDF pages as pixels: poppler's pdftoppm rasterizes a page to PNG, decoded here, so a test can
 * read the colours a reader of the PDF sees.
 */

export interface Raster {
  width: number
  height: number
  /** RGB, 3 bytes a pixel, row after row. */
  rgb: Buffer
}

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** A non-interlaced 8-bit PNG (grey, RGB or RGBA), as RGB pixels. */
export function decodePng(data: Uint8Array): Raster {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  const width = buf.readUInt32BE(16)
  const height = buf.readUInt32BE(20)
  const colorType = buf[25]!
  const channels = colorType === 0 ? 1 : colorType === 2 ? 3 : colorType === 6 ? 4 : 0
  if (buf[24] !== 8 || !channels || buf[28] !== 0) throw new Error(`unsupported PNG (bit depth ${buf[24]}, colour type ${colorType})`)
  const idat: Buffer[] = []
  for (let at = 8; at < buf.length;) {
    const length = buf.readUInt32BE(at)
    if (buf.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + length))
    at += 12 + length
  }
  const raw = inflateSync(Buffer.concat(idat))
  const stride = width * channels
  const pixels = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)]!
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let i = 0; i < stride; i += 1) {
      const left = i >= channels ? pixels[y * stride + i - channels]! : 0
      const up = y > 0 ? pixels[(y - 1) * stride + i]! : 0
      const upLeft = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0
      const x = line[i]!
      const value = [x, x + left, x + up, x + ((left + up) >> 1), x + paeth(left, up, upLeft)][filter]
      if (value === undefined) throw new Error(`bad PNG filter ${filter}`)
      pixels[y * stride + i] = value & 0xff
    }
  }
  const rgb = Buffer.alloc(width * height * 3)
  for (let p = 0; p < width * height; p += 1) {
    for (let c = 0; c < 3; c += 1) rgb[p * 3 + c] = pixels[p * channels + (channels < 3 ? 0 : c)]!
  }
  return { width, height, rgb }
}

/** One page of a PDF (1-based) at `dpi` (96: one pixel per CSS pixel of the slide). */
export async function rasterizePdfPage(file: string, page: number, dpi = 96): Promise<Raster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-raster-'))
  try {
    const prefix = path.join(dir, 'page')
    await promisify(execFile)('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, prefix])
    return decodePng(await readFile(`${prefix}.png`))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const hex = (rgb: string): [number, number, number] => [1, 3, 5].map((i) => parseInt(rgb.slice(i, i + 2), 16)) as [number, number, number]

/** The pixels within `tolerance` (per channel) of a colour, and their bounding box. */
export function pixelsOf(
  raster: Raster,
  color: string,
  tolerance = 6,
  box = { x0: 0, y0: 0, x1: raster.width, y1: raster.height },
): { count: number; box?: { x0: number; y0: number; x1: number; y1: number } } {
  const [r, g, b] = hex(color)
  let count = 0
  let found: { x0: number; y0: number; x1: number; y1: number } | undefined
  for (let y = box.y0; y < box.y1; y += 1) {
    for (let x = box.x0; x < box.x1; x += 1) {
      const at = (y * raster.width + x) * 3
      const d = Math.max(Math.abs(raster.rgb[at]! - r), Math.abs(raster.rgb[at + 1]! - g), Math.abs(raster.rgb[at + 2]! - b))
      if (d > tolerance) continue
      count += 1
      found = found
        ? { x0: Math.min(found.x0, x), y0: Math.min(found.y0, y), x1: Math.max(found.x1, x + 1), y1: Math.max(found.y1, y + 1) }
        : { x0: x, y0: y, x1: x + 1, y1: y + 1 }
    }
  }
  return found ? { count, box: found } : { count }
}

/** How many pixels are not (near) white. */
export function inkPixels(raster: Raster, threshold = 200): number {
  let n = 0
  for (let p = 0; p < raster.width * raster.height; p += 1) {
    if (Math.min(raster.rgb[p * 3]!, raster.rgb[p * 3 + 1]!, raster.rgb[p * 3 + 2]!) < threshold) n += 1
  }
  return n
}

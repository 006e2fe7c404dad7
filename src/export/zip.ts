import { crc32, deflateRawSync } from 'node:zlib'
import { DeckError } from '../util/errors.js'

/*
 * A zip archive written in one pass over Node's own crc32 and deflate (zlib, native code).
 *
 * Why not JSZip, which pptxgenjs brings and which still reads pptxgenjs's package: its CRC-32
 * and deflate are JavaScript, cold in a one-shot build, and its generate step runs after the last
 * slide picture, so all of it lands on the end of the build. Here the XML parts are compressed
 * while Chromium takes the screenshots (`zipPart`), and the end is a native CRC of each picture
 * and one copy.
 *
 * Entries are stored (method 0) or deflated (8); no zip64, so a part of 4 GiB or more, or more
 * than 65535 parts, is refused. The same parts and date always give the same bytes.
 */

export interface ZipPart {
  name: string
  /** Bytes as they go into the archive: deflated or stored. */
  payload: Uint8Array
  method: 0 | 8
  crc: number
  size: number
}

const LIMIT = 0xffffffff
const MAX_PARTS = 0xffff

/** One part, ready to write: deflated when asked and when that makes it smaller. */
export function zipPart(name: string, data: Uint8Array, deflate: boolean): ZipPart {
  if (data.byteLength >= LIMIT) throw new DeckError(`${name} is too large for a zip without zip64 (${data.byteLength} bytes)`)
  const crc = crc32(data)
  if (deflate) {
    const packed = deflateRawSync(data)
    if (packed.byteLength < data.byteLength) return { name, payload: packed, method: 8, crc, size: data.byteLength }
  }
  return { name, payload: data, method: 0, crc, size: data.byteLength }
}

/** MS-DOS time and date fields (2-second steps, from 1980); UTC, so the machine's zone is irrelevant. */
function dosDateTime(date: Date): { time: number; day: number } {
  const d = date.getUTCFullYear() < 1980 ? new Date(Date.UTC(1980, 0, 1)) : date
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    day: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  }
}

/** The archive of `parts`, in that order, every entry stamped with `date`. */
export function writeZip(parts: readonly ZipPart[], date: Date): Uint8Array {
  if (parts.length > MAX_PARTS) throw new DeckError(`too many parts for a zip without zip64 (${parts.length})`)
  const { time, day } = dosDateTime(date)
  const names = parts.map((p) => Buffer.from(p.name, 'utf8'))
  const localSize = parts.reduce((n, p, i) => n + 30 + names[i]!.byteLength + p.payload.byteLength, 0)
  const centralSize = names.reduce((n, name) => n + 46 + name.byteLength, 0)
  if (localSize + centralSize + 22 >= LIMIT) throw new DeckError(`the package is too large for a zip without zip64 (${localSize} bytes)`)
  const out = Buffer.alloc(localSize + centralSize + 22)
  const offsets: number[] = []
  // The fields both headers share, from "version needed" to the name's length.
  const common = (at: number, p: ZipPart, name: Buffer) => {
    out.writeUInt16LE(20, at) // version needed: 2.0 (deflate)
    // Bit 11: the name is UTF-8 (only set when it is not plain ASCII, as most tools write it).
    out.writeUInt16LE(name.some((b) => b > 0x7f) ? 0x0800 : 0, at + 2)
    out.writeUInt16LE(p.method, at + 4)
    out.writeUInt16LE(time, at + 6)
    out.writeUInt16LE(day, at + 8)
    out.writeUInt32LE(p.crc >>> 0, at + 10)
    out.writeUInt32LE(p.payload.byteLength, at + 14)
    out.writeUInt32LE(p.size, at + 18)
    out.writeUInt16LE(name.byteLength, at + 22)
  }
  let at = 0
  parts.forEach((p, i) => {
    const name = names[i]!
    offsets.push(at)
    out.writeUInt32LE(0x04034b50, at)
    common(at + 4, p, name)
    // Extra field length: zero (already).
    name.copy(out, at + 30)
    out.set(p.payload, at + 30 + name.byteLength)
    at += 30 + name.byteLength + p.payload.byteLength
  })
  const central = at
  parts.forEach((p, i) => {
    const name = names[i]!
    out.writeUInt32LE(0x02014b50, at)
    out.writeUInt16LE((3 << 8) | 20, at + 4) // made by: UNIX, 2.0, so the mode below is read
    common(at + 6, p, name)
    // Extra field, comment, disk number and internal attributes: all zero (already).
    out.writeUInt32LE((0o100644 << 16) >>> 0, at + 38) // a regular file, rw-r--r--
    out.writeUInt32LE(offsets[i]!, at + 42)
    name.copy(out, at + 46)
    at += 46 + name.byteLength
  })
  out.writeUInt32LE(0x06054b50, at)
  out.writeUInt16LE(parts.length, at + 8)
  out.writeUInt16LE(parts.length, at + 10)
  out.writeUInt32LE(at - central, at + 12)
  out.writeUInt32LE(central, at + 16)
  return out
}

import { isUtf8 } from 'node:buffer'
import type { Diagnostic } from '../util/diagnostics.js'
import { DeckError } from '../util/errors.js'

/*
 * A deck's bytes to text. Marp takes a string, and a plain 'utf8' read turns invalid bytes into
 * U+FFFD and a PNG renamed `.md` into a garbage deck without a word. So the bytes are checked
 * first: invalid UTF-8 is a finding naming the byte offset and line (the text still renders, with
 * U+FFFD), and a file that is not text fails its deck before Marp sees it.
 */

export interface DecodedDeck {
  text: string
  diagnostics: Diagnostic[]
}

/** C0 controls that do not occur in text (tab, line feed, vertical tab, form feed, CR and ESC do). */
const isControl = (b: number): boolean => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== 0x0d && b !== 0x1b

/** Known binary formats by their first bytes, to say what the file is. */
const SIGNATURES: Array<{ name: string; bytes: number[] }> = [
  { name: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'a GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'a PDF', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'a ZIP archive (or a PPTX/DOCX)', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'a gzip archive', bytes: [0x1f, 0x8b] },
  { name: 'an ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'UTF-16 text', bytes: [0xff, 0xfe] },
  { name: 'UTF-16 text', bytes: [0xfe, 0xff] },
]

function notText(file: string, bytes: Uint8Array): DeckError | undefined {
  const nul = bytes.indexOf(0)
  let controls = 0
  for (const b of bytes) if (isControl(b)) controls += 1
  // A text file has no NUL; a few stray controls can be pasted in, a fifth of the file cannot.
  if (nul < 0 && controls * 5 < Math.max(bytes.length, 1)) return undefined
  const known = SIGNATURES.find((s) => s.bytes.every((b, i) => bytes[i] === b))
  const what = known
    ? `it is ${known.name}`
    : nul >= 0
      ? `it has a NUL byte at offset ${nul}`
      : `${controls} of its ${bytes.length} bytes are control characters`
  return new DeckError(`not a text file: ${what}, so it was not rendered`, {
    location: { file },
    hint:
      known?.name === 'UTF-16 text'
        ? 'Save the deck as UTF-8.'
        : 'A deck is a Markdown text file in UTF-8: name the right file, or move this one out of slides/.',
  })
}

interface InvalidByte {
  offset: number
  byte: number
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 when it is not one. */
function sequenceAt(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!
  if (b < 0x80) return 1
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k]! >= lo && bytes[i + k]! <= hi
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0
  if (b >= 0xe0 && b <= 0xef) {
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf]
    return cont(1, lo, hi) && cont(2) ? 3 : 0
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf]
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0
  }
  return 0
}

/** Where the bytes are not UTF-8: the first byte of each ill-formed sequence. */
function invalidBytes(bytes: Uint8Array): InvalidByte[] {
  const out: InvalidByte[] = []
  for (let i = 0; i < bytes.length;) {
    const n = sequenceAt(bytes, i)
    if (n > 0) {
      i += n
      continue
    }
    out.push({ offset: i, byte: bytes[i]! })
    i += 1
    // The continuation bytes of the broken sequence belong to it.
    while (i < bytes.length && bytes[i]! >= 0x80 && bytes[i]! <= 0xbf) i += 1
  }
  return out
}

const lineAt = (bytes: Uint8Array, offset: number): number => {
  let line = 1
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1
  return line
}

const hex = (b: number) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`

/** Decode a deck's bytes; throws a DeckError when the file is not text. */
export function decodeDeck(file: string, bytes: Uint8Array): DecodedDeck {
  const binary = notText(file, bytes)
  if (binary) throw binary
  const text = new TextDecoder('utf-8').decode(bytes)
  if (isUtf8(bytes)) return { text, diagnostics: [] }
  const bad = invalidBytes(bytes)
  const first = bad[0]!
  const line = lineAt(bytes, first.offset)
  const more = bad.length - 1
  return {
    text,
    diagnostics: [
      {
        rule: 'encoding',
        severity: 'warning',
        file,
        line,
        message:
          `the deck is not valid UTF-8: byte ${hex(first.byte)} at offset ${first.offset} (line ${line})` +
          `${more ? ` and ${more} more` : ''} ${more ? 'are' : 'is'} shown as U+FFFD (\uFFFD)`,
        hint: 'Save the file as UTF-8; a Latin-1 file converts with `iconv -f latin1 -t utf-8`.',
      },
    ],
  }
}

import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { inflateRawSync, inflateSync } from 'node:zlib'
import { writeFileAtomic } from '../../util/atomic-write.js'
import { memoByKey } from '../../util/memo.js'
import { zipPart, type ZipPart } from '../zip.js'

/*
 * Fonts of the editable PowerPoint: the fonts the deck uses are embedded in the package where
 * their licence allows it, and every other font is named by a fallback installed on Windows and
 * macOS, so that text keeps its width on a machine without the deck's fonts.
 *
 * How PowerPoint stores an embedded font (ECMA-376 Part 1, 19.2.1.9 embeddedFontLst; what
 * PowerPoint itself writes): one `<p:embeddedFont>` per typeface in ppt/presentation.xml, with
 * up to four faces (`p:regular`, `p:bold`, `p:italic`, `p:boldItalic`), each a relationship of
 * type …/relationships/font to a part `ppt/fonts/fontN.fntdata` of content type
 * `application/x-fontdata`. The part is an Embedded OpenType (EOT) file: a header (names,
 * weight, fsType, the Panose) in front of the TrueType font. PowerPoint rejects a bare TTF there
 * (the repair prompt: gitbrent/PptxGenJS#1302); it also reads an EOT whose font data is not
 * MicroType-compressed, which is what is written here.
 *
 * Sources: the project's text fonts, Inter and JetBrains Mono, are @fontsource packages under
 * the SIL Open Font License 1.1, which allows embedding (their OS/2 fsType is 0, "installable").
 * @fontsource splits each face into unicode subsets; the latin and latin-ext WOFF files (the
 * subsets the render uses, see render/assets.ts) are merged into one TrueType font per face by
 * fonteditor-core, and wrapped in an EOT header here (eotOf). Converting costs ~0.3 s a face, so each face is
 * kept on disk per package version (node_modules/.cache/marp-deck-pipeline/fonts/) and in memory.
 */

/** A font face as the deck's computed styles name it. */
export interface UsedFont {
  /** A CSS font-family: one family or a stack (`"Inter", sans-serif`); the first family counts. */
  family: string
  weight: number
  italic: boolean
}

/** What PowerPoint is told to use for a CSS font-family. */
export interface Typeface {
  typeface: string
  /** The typeface's faces go in the package (embedFonts embeds them). */
  embedded: boolean
}

/** Fonts that may be embedded: family (lower case) → its @fontsource package and name in PowerPoint. */
const EMBEDDABLE: Record<string, { pkg: string; file: string; typeface: string; licence: string }> = {
  inter: { pkg: '@fontsource/inter', file: 'inter', typeface: 'Inter', licence: 'OFL-1.1' },
  'jetbrains mono': { pkg: '@fontsource/jetbrains-mono', file: 'jetbrains-mono', typeface: 'JetBrains Mono', licence: 'OFL-1.1' },
}

/**
 * Fonts every PowerPoint has (Windows and macOS, with Office), by lower-case name → the name to
 * write. Helvetica is a Mac font; Windows maps it to Arial, so Arial is written. Consolas is left
 * out: it is narrower (0.55 em) than the 0.6 em monospace faces Chromium draws code with.
 */
const EVERYWHERE: Readonly<Record<string, string>> = {
  arial: 'Arial',
  helvetica: 'Arial',
  'times new roman': 'Times New Roman',
  times: 'Times New Roman',
  'courier new': 'Courier New',
  courier: 'Courier New',
  georgia: 'Georgia',
  verdana: 'Verdana',
  tahoma: 'Tahoma',
  'trebuchet ms': 'Trebuchet MS',
  'comic sans ms': 'Comic Sans MS',
  calibri: 'Calibri',
}

/**
 * Fallbacks for fonts that are not embedded and not everywhere: the font of (nearly) the same
 * widths that every PowerPoint has, so that lines break where the browser broke them. Monospace
 * faces of 0.6 em advance (JetBrains Mono, DejaVu Sans Mono, Liberation Mono, SF Mono, Menlo)
 * get Courier New, also 0.6 em; Consolas (0.55 em) is second. Liberation fonts are metric twins
 * of Arial, Times New Roman and Courier New (Chromium on Linux draws those names with them).
 * Generic CSS families map to the standard faces. The first entry is the one written.
 */
export const FONT_FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  inter: ['Arial', 'Helvetica'],
  'jetbrains mono': ['Courier New', 'Consolas'],
  'fira code': ['Courier New', 'Consolas'],
  'fira mono': ['Courier New', 'Consolas'],
  'source code pro': ['Courier New', 'Consolas'],
  'sf mono': ['Courier New', 'Consolas'],
  menlo: ['Courier New', 'Consolas'],
  monaco: ['Courier New', 'Consolas'],
  'dejavu sans mono': ['Courier New', 'Consolas'],
  'liberation mono': ['Courier New'],
  'noto sans mono': ['Courier New', 'Consolas'],
  'roboto mono': ['Courier New', 'Consolas'],
  'ubuntu mono': ['Courier New', 'Consolas'],
  'ibm plex mono': ['Courier New', 'Consolas'],
  'cascadia code': ['Courier New', 'Consolas'],
  avenir: ['Arial', 'Helvetica'],
  'avenir next': ['Arial', 'Helvetica'],
  'helvetica neue': ['Arial', 'Helvetica'],
  'segoe ui': ['Arial', 'Helvetica'],
  roboto: ['Arial', 'Helvetica'],
  'open sans': ['Arial', 'Helvetica'],
  lato: ['Arial', 'Helvetica'],
  'noto sans': ['Arial', 'Helvetica'],
  'dejavu sans': ['Verdana', 'Arial'],
  'liberation sans': ['Arial'],
  'liberation serif': ['Times New Roman'],
  'noto serif': ['Times New Roman'],
  'dejavu serif': ['Georgia', 'Times New Roman'],
  'sans-serif': ['Arial', 'Helvetica'],
  'system-ui': ['Arial', 'Helvetica'],
  '-apple-system': ['Arial', 'Helvetica'],
  blinkmacsystemfont: ['Arial', 'Helvetica'],
  'ui-sans-serif': ['Arial', 'Helvetica'],
  serif: ['Times New Roman', 'Times'],
  'ui-serif': ['Times New Roman', 'Times'],
  monospace: ['Courier New', 'Consolas'],
  'ui-monospace': ['Courier New', 'Consolas'],
  cursive: ['Comic Sans MS'],
  emoji: ['Segoe UI Emoji', 'Apple Color Emoji'],
  'apple color emoji': ['Segoe UI Emoji', 'Apple Color Emoji'],
  'segoe ui emoji': ['Segoe UI Emoji', 'Apple Color Emoji'],
  'noto color emoji': ['Segoe UI Emoji', 'Apple Color Emoji'],
}

/** Families of a CSS font-family value, unquoted, in order. */
export function fontFamilies(css: string): string[] {
  return css
    .split(',')
    .map((f) =>
      f
        .trim()
        .replace(/^(["'])(.*)\1$/, '$2')
        .trim(),
    )
    .filter(Boolean)
}

/**
 * The typeface PowerPoint is told for a CSS font-family stack (or for the one font Chromium drew
 * with, e.g. from CSS.getPlatformFontsForNode, which is better still): the first family we embed;
 * else the first family every PowerPoint has (Helvetica written as Arial); else the fallback of
 * the first family that has one; else the first family as written. So the default theme's
 * `-apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif`
 * becomes Arial, the width Chromium drew it with here (Liberation Sans, Arial's metric twin).
 */
export function pptxTypeface(css: string): Typeface {
  const families = fontFamilies(css)
  const lower = families.map((f) => f.toLowerCase())
  for (const family of lower) {
    const embeddable = EMBEDDABLE[family]
    if (embeddable) return { typeface: embeddable.typeface, embedded: true }
  }
  for (const family of lower) if (EVERYWHERE[family]) return { typeface: EVERYWHERE[family], embedded: false }
  for (const family of lower) {
    const fallback = FONT_FALLBACKS[family]?.[0]
    if (fallback) return { typeface: fallback, embedded: false }
  }
  return { typeface: families[0] ?? 'Arial', embedded: false }
}

type Slot = 'regular' | 'bold' | 'italic' | 'boldItalic'
const SLOTS: readonly Slot[] = ['regular', 'bold', 'italic', 'boldItalic']

/** PowerPoint has four faces per typeface: 600 and heavier take the bold one (the render loads 400 and 700). */
const slotOf = (font: UsedFont): Slot => (font.weight >= 600 ? (font.italic ? 'boldItalic' : 'bold') : font.italic ? 'italic' : 'regular')

const require = createRequire(import.meta.url)

interface Face {
  key: string
  pkg: string
  file: string
  weight: 400 | 700
  italic: boolean
}

function faceOf(font: UsedFont): { typeface: string; slot: Slot; face: Face } | undefined {
  const family = fontFamilies(font.family)[0]?.toLowerCase()
  const source = family ? EMBEDDABLE[family] : undefined
  if (!source) return undefined
  const slot = slotOf(font)
  const weight = slot === 'bold' || slot === 'boldItalic' ? 700 : 400
  const italic = slot === 'italic' || slot === 'boldItalic'
  const key = `${source.file}-${weight}-${italic ? 'italic' : 'normal'}`
  return { typeface: source.typeface, slot, face: { key, pkg: source.pkg, file: source.file, weight, italic } }
}

/** Bumped when the bytes made from a face change (3: our own EOT header), so older cache files are not read. */
const CACHE_FORMAT = 3

/** node_modules/.cache/marp-deck-pipeline/fonts/<face>-<package version>-<format>.fntdata */
function cacheFile(face: Face, pkgDir: string): string {
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }
  const nodeModules = path.dirname(path.dirname(path.dirname(path.join(pkgDir, 'package.json'))))
  return path.join(nodeModules, '.cache', 'marp-deck-pipeline', 'fonts', `${face.key}-${version}-${CACHE_FORMAT}.fntdata`)
}

/** One face as EOT: the latin and latin-ext subsets merged (fonteditor-core), from disk when done before. */
const faceEot = memoByKey(
  async (face: Face): Promise<Uint8Array> => {
    const pkgDir = path.dirname(require.resolve(`${face.pkg}/package.json`))
    const cache = cacheFile(face, pkgDir)
    try {
      const kept = new Uint8Array(await readFile(cache))
      if (isEot(kept)) return kept
    } catch {
      // Not converted yet: below.
    }
    const style = face.italic ? 'italic' : 'normal'
    const woff = (subset: string) => readFile(path.join(pkgDir, 'files', `${face.file}-${subset}-${face.weight}-${style}.woff`))
    const [latin, ext] = await Promise.all([woff('latin'), woff('latin-ext')])
    const { Font } = await import('fonteditor-core')
    const inflate = (data: number[]) => Array.from(inflateSync(Uint8Array.from(data)))
    const read = { type: 'woff', inflate, hinting: true, kerning: true } as const
    const font = Font.create(latin, { ...read, compound2simple: false })
    // Merging copies simple outlines only, so latin-ext's accented letters (composites) are
    // flattened first; characters both subsets carry (space, digits…) stay latin's.
    const extra = Font.create(ext, { ...read, compound2simple: true })
    const have = new Set(font.get().glyf.flatMap((g) => g.unicode ?? []))
    for (const glyph of extra.get().glyf) if (glyph.unicode) glyph.unicode = glyph.unicode.filter((u) => !have.has(u))
    font.merge(extra, { scale: 1 })
    const ttf = font.write({ type: 'ttf', toBuffer: true, hinting: true, kerning: true })
    const { name } = font.get()
    const eot = eotOf(
      ttf,
      [name.fontFamily, name.fontSubFamily, name.version, name.fullName].map((n) => n ?? ''),
    )
    // A read-only node_modules only costs the next process the conversion again.
    await writeFileAtomic(cache, eot).catch(() => undefined)
    return eot
  },
  (face) => face.key,
  16,
)

/**
 * The TrueType font `ttf` as an Embedded OpenType file (version 0x00020001, font data neither
 * compressed nor XOR'd), the header filled from the font's own OS/2, head and name tables, every
 * field little-endian as the format wants. (fonteditor-core 2.6.3 writes EOT too, but its header
 * has the names in big-endian UTF-16, no style name, and OS/2 fsSelection's low byte as the
 * Italic flag: lib/ttf/ttf2eot.js.) `names`: family, style, version, full name.
 */
function eotOf(ttf: Buffer, names: string[]): Uint8Array {
  const table = (tag: string): number => {
    for (let i = 0; i < ttf.readUInt16BE(4); i += 1) {
      const at = 12 + 16 * i
      if (ttf.toString('latin1', at, at + 4) === tag) return ttf.readUInt32BE(at + 8)
    }
    throw new Error(`the font has no ${tag} table`)
  }
  const os2 = table('OS/2')
  const head = table('head')
  const fixed = Buffer.alloc(82) // the fixed fields and Padding1
  fixed.writeUInt32LE(ttf.byteLength, 4) // FontDataSize
  fixed.writeUInt32LE(0x00020001, 8) // Version; Flags (12) stay 0
  ttf.copy(fixed, 16, os2 + 32, os2 + 42) // PANOSE
  fixed[26] = 1 // Charset: DEFAULT_CHARSET
  fixed[27] = ttf.readUInt16BE(os2 + 62) & 1 // Italic, from fsSelection
  fixed.writeUInt32LE(ttf.readUInt16BE(os2 + 4), 28) // Weight: usWeightClass
  fixed.writeUInt16LE(ttf.readUInt16BE(os2 + 8), 32) // fsType
  fixed.writeUInt16LE(0x504c, 34) // MagicNumber
  for (let i = 0; i < 4; i += 1) fixed.writeUInt32LE(ttf.readUInt32BE(os2 + 42 + 4 * i), 36 + 4 * i) // UnicodeRange1–4
  for (let i = 0; i < 2; i += 1) fixed.writeUInt32LE(ttf.readUInt32BE(os2 + 78 + 4 * i), 52 + 4 * i) // CodePageRange1–2
  fixed.writeUInt32LE(ttf.readUInt32BE(head + 8), 60) // CheckSumAdjustment; Reserved1–4 stay 0
  const strings = names.map((n, i) => {
    const text = Buffer.from(n, 'utf16le')
    const size = Buffer.alloc(i === 0 ? 2 : 4) // Padding2–4 before the 2nd to 4th name, then its size
    size.writeUInt16LE(text.byteLength, size.byteLength - 2)
    return Buffer.concat([size, text])
  })
  const out = Buffer.concat([fixed, ...strings, Buffer.alloc(4), ttf]) // Padding5, RootStringSize 0
  out.writeUInt32LE(out.byteLength, 0) // EOTSize
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/** An uncompressed EOT whose size fields agree with its length (a cache file cut short is made again). */
function isEot(data: Uint8Array): boolean {
  if (data.byteLength < 82) return false
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const size = view.getUint32(0, true)
  const fontSize = view.getUint32(4, true)
  return size === data.byteLength && fontSize < size && view.getUint16(34, true) === 0x504c
}

/* Package parts ------------------------------------------------------------------------------- */

const FONT_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/font'
export const FONT_CONTENT_TYPE = 'application/x-fontdata'

function partText(part: ZipPart): string {
  const bytes = part.method === 8 ? inflateRawSync(part.payload) : part.payload
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

const textPart = (name: string, text: string): ZipPart => zipPart(name, Buffer.from(text, 'utf8'), true)

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')

/**
 * The package with the faces of `used` that may be embedded: a `.fntdata` part per face, its
 * relationship from the presentation, the `fntdata` content type and `p:embeddedFontLst`
 * (with `embedTrueTypeFonts`). Fonts that cannot be embedded are left to their fallback
 * (pptxTypeface); fonts the package embedded before are replaced. Returns new parts; the ones
 * given are not changed. Same input, same bytes.
 */
export async function embedFonts(parts: readonly ZipPart[], used: readonly UsedFont[]): Promise<ZipPart[]> {
  // typeface → slot → face, in a fixed order whatever the order of `used`.
  const wanted = new Map<string, Map<Slot, Face>>()
  for (const font of used) {
    const found = faceOf(font)
    if (!found) continue
    const slots = wanted.get(found.typeface) ?? new Map<Slot, Face>()
    slots.set(found.slot, found.face)
    wanted.set(found.typeface, slots)
  }
  if (wanted.size === 0) return [...parts]
  const byName = new Map(parts.map((p) => [p.name, p]))
  const pres = byName.get('ppt/presentation.xml')
  const rels = byName.get('ppt/_rels/presentation.xml.rels')
  const types = byName.get('[Content_Types].xml')
  if (!pres || !rels || !types) return [...parts]

  // Fonts embedded before (a package given twice) are replaced: their relationships and parts go.
  const dropped = new Set<string>()
  let relsXml = partText(rels).replace(/<Relationship\s[^>]*\/>/g, (rel) => {
    if (!rel.includes(`Type="${FONT_REL}"`)) return rel
    const target = /Target="([^"]+)"/.exec(rel)?.[1]
    if (target) dropped.add(path.posix.join('ppt', target))
    return ''
  })
  const kept = parts.filter((p) => !dropped.has(p.name))
  const taken = new Set([...relsXml.matchAll(/Id="rId(\d+)"/g)].map((m) => Number(m[1])))
  let nextId = Math.max(0, ...taken) + 1
  const usedNames = new Set(kept.map((p) => p.name))
  let nextFont = 1
  const fontParts: ZipPart[] = []
  const entries: string[] = []
  for (const typeface of [...wanted.keys()].sort()) {
    const slots = wanted.get(typeface)!
    const refs: string[] = []
    for (const slot of SLOTS) {
      const face = slots.get(slot)
      if (!face) continue
      while (usedNames.has(`ppt/fonts/font${nextFont}.fntdata`)) nextFont += 1
      const name = `ppt/fonts/font${nextFont}.fntdata`
      usedNames.add(name)
      const id = `rId${nextId++}`
      // EOT barely deflates (~60 % of its size); stored or deflated, whichever is smaller.
      fontParts.push(zipPart(name, await faceEot(face), true))
      const rel = `<Relationship Id="${id}" Type="${FONT_REL}" Target="fonts/font${nextFont}.fntdata"/>`
      relsXml = relsXml.replace('</Relationships>', () => `${rel}</Relationships>`)
      refs.push(`<p:${slot} r:id="${id}"/>`)
    }
    entries.push(`<p:embeddedFont><p:font typeface="${escapeAttr(typeface)}"/>${refs.join('')}</p:embeddedFont>`)
  }

  let presXml = partText(pres)
  // The list's place in CT_Presentation: after sldSz, notesSz and smartTags, before custShowLst & co.
  const list = `<p:embeddedFontLst>${entries.join('')}</p:embeddedFontLst>`
  presXml = presXml.replace(/<p:embeddedFontLst>[\s\S]*?<\/p:embeddedFontLst>|<p:embeddedFontLst\/>/, '')
  const anchor = [/<p:smartTags[^>]*\/>/, /<p:notesSz[^>]*\/>/, /<p:sldSz[^>]*\/>/].map((re) => re.exec(presXml)).find(Boolean)
  if (!anchor) return [...parts]
  presXml = presXml.replace(anchor[0], (at) => `${at}${list}`)
  presXml = presXml.replace(/<p:presentation\b([^>]*)>/, (tag, attrs: string) =>
    /embedTrueTypeFonts=/.test(attrs)
      ? tag.replace(/embedTrueTypeFonts="[^"]*"/, 'embedTrueTypeFonts="1"')
      : `<p:presentation${attrs} embedTrueTypeFonts="1">`,
  )

  let typesXml = partText(types)
  if (!/Extension="fntdata"/i.test(typesXml)) {
    typesXml = typesXml.replace(/(<Types[^>]*>)/, `$1<Default Extension="fntdata" ContentType="${FONT_CONTENT_TYPE}"/>`)
  }

  const replaced = new Map([
    [pres.name, textPart(pres.name, presXml)],
    [rels.name, textPart(rels.name, relsXml)],
    [types.name, textPart(types.name, typesXml)],
  ])
  return [...kept.map((p) => replaced.get(p.name) ?? p), ...fontParts]
}

/** The licence under which a family is embedded, or undefined when it is not. */
export function embeddingLicence(family: string): string | undefined {
  return EMBEDDABLE[fontFamilies(family)[0]?.toLowerCase() ?? '']?.licence
}

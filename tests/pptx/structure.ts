import path from 'node:path'
import type JSZip from 'jszip'

/**
 * The package rules PowerPoint enforces before it offers to "repair" a file, checked on an
 * unzipped PPTX (no npm validator covers OOXML packages: the Open XML SDK's validator is .NET).
 * From ECMA-376 Part 2 (Open Packaging Conventions) and Part 1 (PresentationML):
 * - part names are unique (ignoring case) and every part but [Content_Types].xml has a content
 *   type (an Override, or a Default for its extension);
 * - every XML part is well-formed (tags balanced, no repeated attribute);
 * - in each .rels file the Ids are unique, and every internal Target is a part of the package;
 * - every r:id, r:embed and r:link a part uses is one of its own relationships;
 * - slide ids (p:sldId) are unique, in 256..2147483647, each with its own relationship; slide
 *   master and layout ids (p:sldMasterId, p:sldLayoutId) are unique and ≥ 2147483648;
 * - shape ids (p:cNvPr id) are unique within each slide, layout, master and notes page;
 * - each embedded typeface is listed once and used by some text ([MS-OI29500] 2.1.1133:
 *   "PowerPoint further requires that all of the fonts specified in this list shall be used").
 * Returns one line per problem; an empty list is a package PowerPoint opens without a prompt.
 */
export async function packageProblems(zip: JSZip): Promise<string[]> {
  const problems: string[] = []
  const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir)
  const lower = new Map<string, string>()
  for (const n of names) {
    if (lower.has(n.toLowerCase())) problems.push(`part names differ only in case: ${lower.get(n.toLowerCase())} and ${n}`)
    lower.set(n.toLowerCase(), n)
  }
  const text = async (n: string) => zip.file(n)!.async('string')

  const typesXml = zip.file('[Content_Types].xml') ? await text('[Content_Types].xml') : ''
  if (!typesXml) problems.push('no [Content_Types].xml')
  const defaults = new Set([...typesXml.matchAll(/<Default\s[^>]*Extension="([^"]+)"/g)].map((m) => m[1]!.toLowerCase()))
  const overrides = new Set([...typesXml.matchAll(/<Override\s[^>]*PartName="([^"]+)"/g)].map((m) => m[1]!.replace(/^\//, '')))
  for (const n of names) {
    if (n === '[Content_Types].xml') continue
    // The extension is what follows the last dot of the name, also for a name that starts with one (.rels).
    const base = path.posix.basename(n)
    const ext = base.includes('.') ? base.slice(base.lastIndexOf('.') + 1).toLowerCase() : ''
    if (!overrides.has(n) && !defaults.has(ext)) problems.push(`${n}: no content type`)
  }
  // An Override naming a part that is not there is left alone: pptxgenjs writes one per slide for
  // slide masters it never makes, and PowerPoint opens those files without a prompt.

  for (const n of names) {
    if (!/\.(xml|rels)$/.test(n)) continue
    const xml = await text(n)
    const bad = xmlProblem(xml)
    if (bad) problems.push(`${n}: not well-formed XML (${bad})`)
    if (n.endsWith('.rels')) {
      const source = path.posix.join(path.posix.dirname(path.posix.dirname(n)), path.posix.basename(n, '.rels'))
      const ids = new Set<string>()
      for (const m of xml.matchAll(/<Relationship\s([^>]*?)\/?>/g)) {
        const attr = (k: string) => new RegExp(`\\b${k}="([^"]*)"`).exec(m[1]!)?.[1]
        const id = attr('Id')
        if (!id) problems.push(`${n}: a relationship without an Id`)
        else if (ids.has(id)) problems.push(`${n}: relationship Id ${id} twice`)
        else ids.add(id)
        if (attr('TargetMode') === 'External') continue
        const target = attr('Target') ?? ''
        const resolved = target.startsWith('/')
          ? target.slice(1)
          : path.posix.normalize(path.posix.join(path.posix.dirname(source), target))
        if (!names.includes(resolved)) problems.push(`${n}: ${id} targets a missing part ${resolved}`)
      }
      continue
    }
    // Relationship ids used by this part exist in its own .rels.
    const relsName = path.posix.join(path.posix.dirname(n), '_rels', `${path.posix.basename(n)}.rels`)
    const used = new Set([...xml.matchAll(/\br:(?:id|embed|link|pict|dm|lo|qs|cs)="([^"]+)"/g)].map((m) => m[1]!))
    if (used.size) {
      const relsXml = zip.file(relsName) ? await text(relsName) : ''
      const have = new Set([...relsXml.matchAll(/\bId="([^"]+)"/g)].map((m) => m[1]!))
      for (const id of used) if (!have.has(id)) problems.push(`${n}: uses ${id}, which ${relsName} does not define`)
    }
    if (/^ppt\/(slides|slideLayouts|slideMasters|notesSlides)\/[^/]+\.xml$/.test(n)) {
      const shapeIds = [...xml.matchAll(/<p:cNvPr\s[^>]*?\bid="(\d+)"/g)].map((m) => m[1]!)
      const seen = new Set<string>()
      for (const id of shapeIds) {
        if (seen.has(id)) problems.push(`${n}: shape id ${id} twice`)
        seen.add(id)
      }
    }
  }

  const pres = zip.file('ppt/presentation.xml') ? await text('ppt/presentation.xml') : ''
  if (!pres) problems.push('no ppt/presentation.xml')
  const check = (tag: string, min: number, max: number) => {
    const seen = new Set<number>()
    for (const m of pres.matchAll(new RegExp(`<p:${tag}\\s[^>]*?\\bid="(\\d+)"`, 'g'))) {
      const id = Number(m[1])
      if (seen.has(id)) problems.push(`ppt/presentation.xml: ${tag} ${id} twice`)
      if (id < min || id > max) problems.push(`ppt/presentation.xml: ${tag} ${id} outside ${min}..${max}`)
      seen.add(id)
    }
  }
  check('sldId', 256, 2147483647)
  const masterIds = [...pres.matchAll(/<p:sldMasterId\s[^>]*?\bid="(\d+)"/g)].map((m) => Number(m[1]))
  const layoutIds: number[] = []
  for (const n of names.filter((x) => /^ppt\/slideMasters\/[^/]+\.xml$/.test(x))) {
    for (const m of (await text(n)).matchAll(/<p:sldLayoutId\s[^>]*?\bid="(\d+)"/g)) layoutIds.push(Number(m[1]))
  }
  const all = [...masterIds, ...layoutIds]
  if (new Set(all).size !== all.length) problems.push(`slide master and layout ids repeat: ${all.join(', ')}`)
  for (const id of all) if (id < 2147483648) problems.push(`slide master or layout id ${id} below 2147483648`)
  const slideRids = [...pres.matchAll(/<p:sldId\s[^>]*?\br:id="([^"]+)"/g)].map((m) => m[1]!)
  if (new Set(slideRids).size !== slideRids.length) problems.push('two slides share a relationship')

  // [MS-OI29500] 2.1.1133: each embedded typeface once, and each one used in the presentation.
  const embedded = [...pres.matchAll(/<p:embeddedFont>\s*<p:font\s[^>]*?\btypeface="([^"]+)"/g)].map((m) => m[1]!)
  if (new Set(embedded).size !== embedded.length) problems.push(`ppt/presentation.xml: an embedded typeface twice (${embedded.join(', ')})`)
  if (embedded.length) {
    const typefaces = new Set<string>()
    for (const n of names.filter((x) => /^ppt\/(slides|slideLayouts|slideMasters|theme|notesSlides|notesMasters)\/[^/]+\.xml$/.test(x))) {
      for (const m of (await text(n)).matchAll(/\btypeface="([^"]+)"/g)) typefaces.add(m[1]!)
    }
    for (const t of embedded) if (!typefaces.has(t)) problems.push(`ppt/presentation.xml: embeds ${t}, which no text uses`)
  }
  return problems
}

/** The first well-formedness problem of an XML text, or undefined: balanced tags, unique attributes. */
export function xmlProblem(xml: string): string | undefined {
  const body = xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, '')
  const stack: string[] = []
  for (const m of body.matchAll(/<(\/?)([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|</g)) {
    if (m[2] === undefined) return `a stray "<" at ${m.index}`
    const [, close, name, attrs, selfClose] = m
    if (close) {
      const open = stack.pop()
      if (open !== name) return `</${name}> closes <${open ?? 'nothing'}>`
      continue
    }
    const keys = [...attrs!.matchAll(/([^\s=]+)\s*=/g)].map((a) => a[1]!)
    if (new Set(keys).size !== keys.length) return `<${name}> repeats an attribute`
    if (!selfClose) stack.push(name!)
  }
  if (stack.length) return `<${stack.at(-1)}> never closed`
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(body)) return 'an unescaped "&"'
  return undefined
}

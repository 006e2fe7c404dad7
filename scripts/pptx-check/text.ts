import JSZip from 'jszip'

/**
 * The text figure of the fidelity check. For each slide, the characters of the PPTX slide's text
 * runs (every `<a:t>` of ppt/slides/slideN.xml, entities decoded) are compared with the
 * characters pdftotext finds on the same page of our PDF:
 *
 *   found % = Σ_c min(n_pptx(c), n_pdf(c)) / Σ_c n_pdf(c)
 *
 * over every character c except whitespace, both texts in Unicode NFKC (so a ligature "ﬁ" from
 * the PDF counts as "f" and "i"). It is a multiset overlap: order and line breaks do not count
 * (the two files order their text differently: the PDF by position on the page, the PPTX by
 * shape), but every character the PDF shows must be in a run as often as it is shown. A page
 * with no text counts as 100 %. The numbers PowerPoint draws for an auto-numbered paragraph
 * (`a:buAutoNum`: "1.", "ii.", "c)") are text on the slide as they are in the PDF, so they are
 * counted with the runs (autoNumbers below); bullet characters are not text in either.
 */
export interface TextFigure {
  /** Non-whitespace characters on the PDF page. */
  pdfChars: number
  /** Of those, found in the slide's runs. */
  found: number
  /** Characters in the slide's runs that the PDF page does not show (not part of the figure). */
  extra: number
}

const chars = (s: string): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const c of s.normalize('NFKC').replace(/\s+/gu, '')) counts.set(c, (counts.get(c) ?? 0) + 1)
  return counts
}

export function textOverlap(pptxText: string, pdfText: string): TextFigure {
  const a = chars(pptxText)
  const b = chars(pdfText)
  let pdfChars = 0
  let found = 0
  for (const [c, n] of b) {
    pdfChars += n
    found += Math.min(n, a.get(c) ?? 0)
  }
  let pptxChars = 0
  for (const n of a.values()) pptxChars += n
  return { pdfChars, found, extra: pptxChars - found }
}

export const percentFound = (t: TextFigure): number => (t.pdfChars === 0 ? 1 : t.found / t.pdfChars)

const decode = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&')

/** What a PPTX holds, slide by slide: its text runs, its pictures, its embedded fonts. */
export interface PptxSlides {
  /** Text of each slide's runs, joined with spaces. */
  texts: string[]
  /** Runs per slide. */
  runs: number[]
  /** Pictures (`p:pic`) per slide. */
  pictures: number[]
  zip: JSZip
}

export async function readSlides(data: Uint8Array): Promise<PptxSlides> {
  const zip = await JSZip.loadAsync(data)
  const slides = Object.keys(zip.files)
    .filter((n) => /^ppt\/slides\/slide\d+\.xml$/.test(n))
    .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
  const texts: string[] = []
  const runs: number[] = []
  const pictures: number[] = []
  for (const name of slides) {
    const xml = await zip.file(name)!.async('string')
    const parts = [...xml.matchAll(/<a:t>([^<]*)<\/a:t>|<a:t\/>/g)].map((m) => decode(m[1] ?? ''))
    texts.push([...parts, ...autoNumbers(xml)].join(' '))
    runs.push(parts.length)
    pictures.push((xml.match(/<p:pic>/g) ?? []).length)
  }
  return { texts, runs, pictures, zip }
}

const roman = (n: number): string => {
  const digits: Array<[number, string]> = [
    [1000, 'm'],
    [900, 'cm'],
    [500, 'd'],
    [400, 'cd'],
    [100, 'c'],
    [90, 'xc'],
    [50, 'l'],
    [40, 'xl'],
    [10, 'x'],
    [9, 'ix'],
    [5, 'v'],
    [4, 'iv'],
    [1, 'i'],
  ]
  let out = ''
  for (const [value, letters] of digits) for (; n >= value; n -= value) out += letters
  return out
}
const alpha = (n: number): string => String.fromCharCode(96 + (((n - 1) % 26) + 1)).repeat(Math.floor((n - 1) / 26) + 1)

/** The label PowerPoint draws for number `n` of an `a:buAutoNum` scheme (ECMA-376 ST_TextAutonumberScheme). */
export function autoNumberLabel(scheme: string, n: number): string {
  const m = /^(arabic|romanLc|romanUc|alphaLc|alphaUc)(Period|ParenR|ParenBoth|Plain)$/.exec(scheme)
  if (!m) return String(n)
  const body = {
    arabic: String(n),
    romanLc: roman(n),
    romanUc: roman(n).toUpperCase(),
    alphaLc: alpha(n),
    alphaUc: alpha(n).toUpperCase(),
  }[m[1] as 'arabic']
  return { Period: `${body}.`, ParenR: `${body})`, ParenBoth: `(${body})`, Plain: body }[m[2] as 'Period']
}

/**
 * The numbers of a slide's auto-numbered paragraphs, as PowerPoint counts them: within one text
 * body, consecutive paragraphs of one level with the same scheme and start number are one list
 * (deeper paragraphs in between do not break it; a shallower one does), numbered from its start.
 */
export function autoNumbers(xml: string): string[] {
  const out: string[] = []
  for (const body of xml.match(/<(?:p|a):txBody>[\s\S]*?<\/(?:p|a):txBody>/g) ?? []) {
    // Per level: the list running there (scheme, start, count).
    const running = new Map<number, { key: string; count: number }>()
    for (const para of body.match(/<a:p>[\s\S]*?<\/a:p>/g) ?? []) {
      const level = Number(/<a:pPr\b[^>]*\blvl="(\d+)"/.exec(para)?.[1] ?? 0)
      for (const deeper of [...running.keys()]) if (deeper > level) running.delete(deeper)
      const auto = /<a:buAutoNum\b[^>]*\btype="([^"]+)"[^>]*?\/>/.exec(para)
      if (!auto) {
        running.delete(level)
        continue
      }
      const start = Number(/\bstartAt="(\d+)"/.exec(auto[0])?.[1] ?? 1)
      const key = `${auto[1]}:${start}`
      const list = running.get(level)
      const count = list?.key === key ? list.count + 1 : 0
      running.set(level, { key, count })
      out.push(autoNumberLabel(auto[1]!, start + count))
    }
  }
  return out
}

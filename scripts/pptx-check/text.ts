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
 * with no text counts as 100 %.
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
    texts.push(parts.join(' '))
    runs.push(parts.length)
    pictures.push((xml.match(/<p:pic>/g) ?? []).length)
  }
  return { texts, runs, pictures, zip }
}

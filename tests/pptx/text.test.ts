import { describe, expect, it } from 'vitest'
import { autoNumberLabel, autoNumbers, percentFound, textOverlap } from '../../scripts/pptx-check/text.js'

/* The text figure of the fidelity check (scripts/pptx-check/text.ts), on texts made here. */

describe('the text figure', () => {
  it('counts the PDF characters found in the runs as a multiset, whitespace and order aside', () => {
    expect(textOverlap('world hello', 'hello\nworld')).toEqual({ pdfChars: 10, found: 10, extra: 0 })
    // One "l" short: 9 of 10 found; the run's "!" is extra, not a miss.
    expect(textOverlap('helo world!', 'hello world')).toEqual({ pdfChars: 10, found: 9, extra: 1 })
    expect(percentFound(textOverlap('helo world', 'hello world'))).toBeCloseTo(0.9)
    // NFKC: the PDF's ligature "ﬁ" is "f" + "i".
    expect(textOverlap('fine', 'ﬁne').found).toBe(4)
    expect(percentFound(textOverlap('', ' \n'))).toBe(1)
  })

  it('reads auto-numbers as PowerPoint draws them, per level and list', () => {
    expect(['arabicPeriod', 'romanLcPeriod', 'alphaUcParenR', 'arabicParenBoth'].map((s) => autoNumberLabel(s, 4))).toEqual([
      '4.',
      'iv.',
      'D)',
      '(4)',
    ])
    const p = (lvl: number, auto?: string) =>
      `<a:p><a:pPr lvl="${lvl}">${auto ? `<a:buAutoNum type="${auto}"/>` : '<a:buNone/>'}</a:pPr><a:r><a:t>x</a:t></a:r></a:p>`
    const body = (...paras: string[]) => `<p:txBody>${paras.join('')}</p:txBody>`
    // 1. 2. (i. under 2.) 3.; then a plain paragraph ends the list, which starts again.
    const xml = body(p(0, 'arabicPeriod'), p(0, 'arabicPeriod'), p(1, 'romanLcPeriod'), p(0, 'arabicPeriod'), p(0), p(0, 'arabicPeriod'))
    expect(autoNumbers(xml)).toEqual(['1.', '2.', 'i.', '3.', '1.'])
    // A start number per paragraph (as the editable export writes them) is that paragraph's number.
    const started = body('<a:p><a:pPr><a:buAutoNum type="arabicPeriod" startAt="7"/></a:pPr></a:p>')
    expect(autoNumbers(started)).toEqual(['7.'])
  })
})

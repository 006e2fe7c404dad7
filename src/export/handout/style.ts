import type { PageGeometry } from './layout.js'

/*
 * The handout page's CSS. Everything is drawn with CSS boxes, borders and text, never with a
 * gradient, a shadow or a filter, which Chromium's print would turn into pictures: the handout
 * stays vector, as the slides in it do. The text is in the fonts every render embeds (Inter,
 * JetBrains Mono), so the handout looks the same on every machine.
 */

/** Light grey of the frames, rules and footer; dark grey of the captions. */
const RULE = '#c9ced6'
const MUTED = '#5b6472'

export function handoutCss(g: PageGeometry): string {
  const { w, h } = g.paper
  return `
@page { size: ${w}mm ${h}mm; margin: 0 }
html, body { margin: 0; padding: 0; background: #fff }
.handout-page {
  position: relative; width: ${w}mm; height: ${h}mm; overflow: hidden; break-after: page;
  font-family: Inter, 'Helvetica Neue', Arial, sans-serif; color: #1d2330;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
.handout-page:last-of-type { break-after: auto }
.handout-slide { position: absolute; outline: 0.25mm solid ${RULE} }
.handout-slide > svg[data-marpit-svg] { display: block; width: 100% !important; height: 100% !important; break-after: auto !important }
.handout-notes { position: absolute; overflow: hidden; line-height: 1.38; font-size: ${g.notesPt}pt }
.handout-caption {
  display: flex; align-items: baseline; gap: 1.6mm; margin: 0 0 1.4mm; font-size: 8pt; font-weight: 600;
  color: ${MUTED}; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.handout-caption .handout-number {
  flex: none; min-width: 3.2mm; padding: 0.2mm 1.1mm; border-radius: 0.8mm; background: ${MUTED}; color: #fff; text-align: center;
  font-variant-numeric: tabular-nums;
}
.handout-caption .handout-title { overflow: hidden; text-overflow: ellipsis }
.handout-text > :first-child { margin-top: 0 }
.handout-text p, .handout-text ul, .handout-text ol, .handout-text pre, .handout-text blockquote, .handout-text table { margin: 0 0 0.55em }
.handout-text ul, .handout-text ol { padding-left: 1.25em }
.handout-text li > p { margin: 0 }
.handout-text h1, .handout-text h2, .handout-text h3, .handout-text h4, .handout-text h5, .handout-text h6 { font-size: 1em; margin: 0.7em 0 0.3em }
.handout-text code { font-family: 'JetBrains Mono', monospace; font-size: 0.88em; background: #eef1f5; border-radius: 0.6mm; padding: 0 0.25em }
.handout-text pre { font-family: 'JetBrains Mono', monospace; white-space: pre-wrap; background: #f4f6f9; border-radius: 1mm; padding: 0.5em 0.7em }
.handout-text pre code { background: none; padding: 0; font-size: 0.88em }
.handout-text blockquote { padding-left: 0.8em; border-left: 0.6mm solid ${RULE}; color: ${MUTED} }
.handout-text a { color: #0b57d0; text-decoration: none }
.handout-text hr { border: 0; border-top: 0.25mm solid ${RULE} }
.handout-text table { border-collapse: collapse }
.handout-text th, .handout-text td { border: 0.25mm solid ${RULE}; padding: 0.15em 0.5em }
.handout-cut { color: ${MUTED}; font-weight: 600; line-height: 1 }
.handout-lines > div { height: 7.5mm; border-bottom: 0.25mm solid ${RULE} }
.handout-footer {
  position: absolute; display: flex; justify-content: space-between; align-items: baseline; gap: 6mm;
  border-top: 0.25mm solid ${RULE}; padding-top: 1.6mm; font-size: 8pt; color: ${MUTED};
}
.handout-footer .handout-deck { overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font-weight: 600 }
.handout-footer .handout-page-number { flex: none; font-variant-numeric: tabular-nums }
`
}

import path from 'node:path'
import type { Format } from '../config/options.js'

/*
 * Where a deck's outputs go: `<out>/<path under the input folder>.<ext>`, or `<out>/<file
 * name>.<ext>` for a deck from elsewhere; PNGs get the slide number (`deck.001.png`), the
 * handout and the notes a second extension (`deck.handout.pdf`, `deck.notes.md`). An output
 * file name (`-o talk.pdf`) is used as it is.
 */

/** The folders (and the one output file, if any) that outputPath places outputs in. */
export interface OutputLayout {
  /** The folder decks come from (`slides/`); its subfolders are kept under `outDir`. */
  inputDir: string
  outDir: string
  /** One deck to one format, written under this exact name. */
  outFile?: string
}

/** Extensions that are not the format's name. */
const EXTENSIONS: Partial<Record<Format, string>> = { handout: '.handout.pdf', notes: '.notes.md' }

export function outputPath(layout: OutputLayout, deckFile: string, format: Format, slide?: number): string {
  if (layout.outFile && format !== 'png') return layout.outFile
  const inInput = deckFile.startsWith(layout.inputDir + path.sep)
  const rel = inInput ? path.relative(layout.inputDir, deckFile) : path.basename(deckFile)
  const base = layout.outFile ? layout.outFile.replace(/\.png$/i, '') : path.join(layout.outDir, rel.replace(/\.md$/i, ''))
  if (format === 'png') return `${base}.${String((slide ?? 0) + 1).padStart(3, '0')}.png`
  return `${base}${EXTENSIONS[format] ?? `.${format}`}`
}

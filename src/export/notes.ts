import path from 'node:path'
import type { RenderedDeck } from '../render/render.js'
import { slideTitles } from './pdf.js'

/*
 * The notes export (`--format notes`, `<deck>.notes.md`): the speaker notes of every slide in one
 * Markdown file, a section per slide titled with its number and title, to rehearse from and to
 * review in a pull request. It is made from the render alone (no browser), and the same deck
 * gives the same bytes: no date, no absolute path.
 */

/** A fence opening or closing line (``` or ~~~, up to three spaces in). */
const FENCE = /^ {0,3}(`{3,}|~{3,})/

/**
 * The notes with their headings two levels down (`#` → `###`, at most `######`), so that a
 * heading in a note stays inside its slide's section; lines in code blocks are left as they are.
 */
export function nestHeadings(notes: string): string {
  let fence: string | undefined
  return notes
    .split('\n')
    .map((line) => {
      const open = FENCE.exec(line)?.[1]
      if (fence) {
        if (open && open[0] === fence[0] && open.length >= fence.length) fence = undefined
        return line
      }
      if (open) {
        fence = open
        return line
      }
      return line.replace(
        /^( {0,3})(#{1,6})(?=\s|$)/,
        (_, indent: string, hashes: string) => `${indent}${'#'.repeat(Math.min(6, hashes.length + 2))}`,
      )
    })
    .join('\n')
}

/** A heading's text on one line, with the characters that would start Markdown there escaped. */
const headingText = (text: string): string =>
  text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`)

export function notesMarkdown(deck: RenderedDeck): string {
  const titles = slideTitles(deck)
  const withNotes = deck.notes.filter((n) => n.trim()).length
  const lines = [
    `# ${headingText(deck.title)}: speaker notes`,
    '',
    `${path.basename(deck.file)}: ${deck.slideCount} ${deck.slideCount === 1 ? 'slide' : 'slides'}, ${withNotes} with notes.`,
  ]
  titles.forEach((title, i) => {
    const notes = deck.notes[i]?.trim() ?? ''
    lines.push('', `## ${i + 1}. ${headingText(title)}`, '', notes ? nestHeadings(notes) : '_No notes._')
  })
  return `${lines.join('\n')}\n`
}

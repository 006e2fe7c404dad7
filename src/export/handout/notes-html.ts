import MarkdownIt from 'markdown-it'

/*
 * The speaker notes as HTML for the handout. Marp takes a slide's notes from its HTML comments
 * and keeps their text as written, which is Markdown: emphasis, lists, links and code are
 * rendered as such. Raw HTML in a note is shown as text (markdown-it's `html: false` escapes it),
 * whatever the deck's --html: the notes are printed, not run, and a stray tag must not eat the
 * text after it. Headings inside notes are shown one size, as the notes' own sub-headings.
 */

let md: MarkdownIt | undefined

const markdown = (): MarkdownIt => (md ??= new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false }))

/** One slide's notes (Markdown) as HTML; '' for none. */
export function notesHtml(notes: string): string {
  if (!notes.trim()) return ''
  return markdown().render(notes)
}

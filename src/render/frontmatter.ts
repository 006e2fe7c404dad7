import { parseDocument } from 'yaml'

/*
 * Marp drops the whole front matter when any line of it is not valid YAML (the seed deck's
 * `@auto-scaling: true` does that), which silently loses the theme, pagination and classes.
 * We keep every entry that parses on its own and blank out the ones that do not, so line numbers
 * stay the same and the deck renders as the author meant. The author's file is never changed.
 */

export interface FrontMatterIssue {
  /** 1-based line in the deck. */
  line: number
  message: string
  hint: string
}

export interface RecoveredFrontMatter {
  /** The Markdown to render: unchanged unless an entry had to be dropped. */
  markdown: string
  /** Entries of the front matter that parsed (empty when there is none). */
  data: Record<string, unknown>
  /** 1-based line of each top-level key, for reporting. */
  keyLines: Map<string, number>
  issues: FrontMatterIssue[]
}

const FENCE = /^---[ \t]*$/

/** Find the front matter block: `---` on the first line and the next `---` line. */
function locate(lines: string[]): { start: number; end: number } | null {
  if (lines.length === 0 || !FENCE.test(lines[0] ?? '')) return null
  for (let i = 1; i < lines.length; i += 1) {
    if (FENCE.test(lines[i] ?? '')) return { start: 1, end: i }
  }
  return null
}

/** A top-level entry: a line at column 0 and the indented or blank lines that follow it. */
function entries(lines: string[], start: number, end: number): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = []
  for (let i = start; i < end; i += 1) {
    const line = lines[i] ?? ''
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    const last = out[out.length - 1]
    if (/^\s/.test(line) && last) last.to = i + 1
    else out.push({ from: i, to: i + 1 })
  }
  return out
}

const KEY = /^[A-Za-z_@"'][^:]*:(?:\s|$)/
const CONTINUATION = /^(?:\s+\S|-\s)/

/** The line index where the run of YAML after line 1 ends (a `#` comment counts when a key follows it). */
function yamlRun(lines: string[], limit: number): number {
  let k = 1
  while (k < limit) {
    const line = lines[k] ?? ''
    const comment = line.startsWith('#') && KEY.test(lines[k + 1] ?? '')
    if (!KEY.test(line) && !(k > 1 && CONTINUATION.test(line)) && !comment) break
    k += 1
  }
  return k
}

interface Closing {
  lines: string[]
  /** The index of the line that now closes the front matter. */
  end?: number
  issue: FrontMatterIssue
}

const closeAt = (lines: string[], k: number, value: string): string[] => lines.map((l, i) => (i === k ? value : l))

/**
 * Line 1 opens a front matter that no `---` closes. Marp then reads the whole deck as front
 * matter and shows one empty slide. A blank line right after the run of keys is where the
 * closing `---` was forgotten, so the render closes the front matter there. Without keys, the
 * opening `---` is dropped. Otherwise nothing is changed and the issue says so.
 */
function closeUnclosed(lines: string[]): Closing {
  const k = yamlRun(lines, lines.length)
  const opened =
    'the front matter opened by `---` on line 1 is never closed, so Marp reads the whole deck as front matter and shows one empty slide.'
  if (k > 1 && (lines[k] ?? '').trim() === '') {
    return {
      lines: closeAt(lines, k, '---'),
      end: k,
      issue: {
        line: 1,
        message: `${opened} It was closed at the blank line ${k + 1}; the slides are rendered.`,
        hint: `Add a \`---\` line after the last front matter key (line ${k}).`,
      },
    }
  }
  if (k === 1) {
    return {
      lines: closeAt(lines, 0, ''),
      issue: {
        line: 1,
        message: `${opened} It has no keys, so the \`---\` was dropped and the deck is rendered without front matter.`,
        hint: 'Delete the `---` on line 1, or add the front matter keys and a closing `---` line.',
      },
    }
  }
  return { lines, issue: { line: 1, message: opened, hint: `Add a \`---\` line after the last front matter key (line ${k}).` } }
}

/**
 * The front matter's closing `---` was forgotten and the first slide separator closed it: after
 * the keys and a blank line come lines that are not YAML (the first slide's text). Marp drops
 * them as front matter (a heading reads as a YAML comment). The render closes the front matter
 * at that blank line and the separator separates slides again.
 */
function closedBySeparator(lines: string[], end: number): Closing | undefined {
  const k = yamlRun(lines, end)
  if (k <= 1 || k >= end || (lines[k] ?? '').trim() !== '') return undefined
  const rest = lines.slice(k + 1, end).filter((l) => l.trim() !== '')
  if (!rest.length || rest.some((l) => KEY.test(l) || CONTINUATION.test(l)) || rest.every((l) => l.startsWith('#'))) return undefined
  return {
    lines: closeAt(lines, k, '---'),
    end: k,
    issue: {
      line: 1,
      message: `the front matter opened by \`---\` on line 1 is not closed after its keys: the \`---\` on line ${end + 1} closes it, so Marp reads lines ${k + 2}–${end} (the first slide) as front matter and drops them. It was closed at the blank line ${k + 1}; the first slide is rendered.`,
      hint: `Add a \`---\` line after the last front matter key (line ${k}).`,
    },
  }
}

function explain(text: string, yamlMessage: string): { message: string; hint: string } {
  const key = /^([^:\s]+)\s*:/.exec(text)?.[1]
  if (key?.startsWith('@')) {
    return {
      message: `\`${text.trim()}\` is not valid YAML (a plain key cannot start with "@"), so Marp ignores the whole front matter: theme, paginate and class are lost. It was skipped; the other keys are used.`,
      hint: `\`${key}\` is theme metadata: put \`/* ${key} ... */\` in the theme CSS header comment and delete this line.`,
    }
  }
  return {
    message: `front matter line is not valid YAML (${yamlMessage.split('\n')[0]}), so Marp ignores the whole front matter. It was skipped; the other keys are used.`,
    hint: 'Fix the YAML syntax on this line (quote values that contain ":" or start with a special character).',
  }
}

function toRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export function recoverFrontMatter(source: string): RecoveredFrontMatter {
  let markdown = source
  let lines = markdown.split('\n')
  let block = locate(lines)
  const keyLines = new Map<string, number>()
  const issues: FrontMatterIssue[] = []
  const closed = block ? closedBySeparator(lines, block.end) : FENCE.test(lines[0] ?? '') ? closeUnclosed(lines) : undefined
  if (closed) {
    issues.push(closed.issue)
    if (closed.lines !== lines) {
      lines = closed.lines
      markdown = lines.join('\n')
    }
    if (closed.end) block = { start: 1, end: closed.end }
  }
  if (!block) return { markdown, data: {}, keyLines, issues }

  const parts = entries(lines, block.start, block.end)
  for (const part of parts) {
    const key = /^([^:\s]+)\s*:/.exec(lines[part.from] ?? '')?.[1]
    if (key) keyLines.set(key, part.from + 1)
  }
  const whole = parseDocument(lines.slice(block.start, block.end).join('\n'))
  if (whole.errors.length === 0) return { markdown, data: toRecord(whole.toJS()), keyLines, issues }

  const broken = issues.length
  const kept = [...lines]
  let data: Record<string, unknown> = {}

  for (const part of parts) {
    const text = lines.slice(part.from, part.to).join('\n')
    const doc = parseDocument(text)
    const key = /^([^:\s]+)\s*:/.exec(text)?.[1]
    if (doc.errors.length === 0 && !key?.startsWith('@')) {
      data = { ...data, ...toRecord(doc.toJS()) }
      continue
    }
    issues.push({ line: part.from + 1, ...explain(text, doc.errors[0]?.message ?? '') })
    for (let i = part.from; i < part.to; i += 1) kept[i] = ''
  }
  return { markdown: issues.length > broken ? kept.join('\n') : markdown, data, keyLines, issues }
}

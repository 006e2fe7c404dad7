import { parseDocument } from 'yaml'

/**
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

export function recoverFrontMatter(markdown: string): RecoveredFrontMatter {
  const lines = markdown.split('\n')
  const block = locate(lines)
  const keyLines = new Map<string, number>()
  if (!block) return { markdown, data: {}, keyLines, issues: [] }

  const parts = entries(lines, block.start, block.end)
  for (const part of parts) {
    const key = /^([^:\s]+)\s*:/.exec(lines[part.from] ?? '')?.[1]
    if (key) keyLines.set(key, part.from + 1)
  }
  const whole = parseDocument(lines.slice(block.start, block.end).join('\n'))
  if (whole.errors.length === 0) return { markdown, data: toRecord(whole.toJS()), keyLines, issues: [] }

  const issues: FrontMatterIssue[] = []
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
  return { markdown: issues.length ? kept.join('\n') : markdown, data, keyLines, issues }
}

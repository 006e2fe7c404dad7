import type { Command, Flags } from './command.js'
import { COMMANDS } from './commands.js'
import { BUILD_FLAGS, GLOBAL_FLAGS } from './options.js'

// The help texts: every line shorter than 100 columns, descriptions wrapped under their column.

const WIDTH = 99
const COLUMN = 31

/** Words of `text` in lines of at most `WIDTH` columns, the first after `first`, the rest after `indent`. */
function wrap(first: string, text: string, indent = ' '.repeat(COLUMN)): string[] {
  const lines: string[] = []
  let line = first
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const sep = line.trim() === '' || line.endsWith(' ') ? '' : ' '
    if (line.trim() !== '' && line.length + sep.length + word.length > WIDTH) {
      lines.push(line.trimEnd())
      line = indent + word
    } else line += sep + word
  }
  lines.push(line.trimEnd())
  return lines
}

function entry(label: string, text: string): string[] {
  const head = `  ${label}`
  if (head.length >= COLUMN - 1) return [head, ...wrap(' '.repeat(COLUMN), text)]
  return wrap(head.padEnd(COLUMN), text)
}

function optionLines(flags: Flags): string[] {
  return Object.entries(flags)
    .filter(([, f]) => !f.hidden)
    .flatMap(([name, f]) => entry(`${f.short ? `-${f.short}, ` : '    '}--${name}${f.arg ? ` ${f.arg}` : ''}`, f.help))
}

const paragraph = (text: string): string => wrap('', text, '').join('\n')

const MARP = [
  ...entry('--pdf, --pptx, --images png', 'Same as --format pdf, pptx, png (each adds its format; --image png too)'),
  ...entry('--output, --config, --no-config', 'Same as --out, --config-file, --no-config-file'),
  ...entry('-w, -s, -p', 'Answered with the `deck watch` command line that does it'),
  ...entry('--notes, --engine, --template, --bespoke.*', 'Answered with what deck does instead (exit 2, nothing runs)'),
]

const FOOTER = `Environment: CHROME_PATH (browser), SOURCE_DATE_EPOCH (date in PDF/PPTX metadata),
LC_ALL, LC_PAPER or LANG (the handout's paper), DEBUG=deck:* (internals).
Exit codes: 0 ok, 1 a deck failed, 2 bad usage, 3 no browser, 4 findings with --strict,
130/143/129 interrupted (SIGINT/SIGTERM/SIGHUP).`

/** `deck --help`: what deck does, its commands, the build options, marp-cli's flags. */
export function overviewHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4) + 4
  const commands = [...COMMANDS.map((c) => [c.name, c.summary] as const), ['help', 'Show the help of a command: deck help build'] as const]
  return [
    'Usage: deck [command] [decks or folders...] [options]',
    '',
    paragraph(
      'Builds Marp decks (default: every .md under slides/) into dist/: HTML, PDF, PPTX, PNG, a handout PDF and the speaker notes. Options may come before or after the command.',
    ),
    '',
    'Commands:',
    ...commands.flatMap(([name, summary]) => wrap(`  ${name.padEnd(width)}`, summary, ' '.repeat(width + 2))),
    '',
    'Options of build, watch and lint:',
    ...optionLines(BUILD_FLAGS),
    ...optionLines(GLOBAL_FLAGS),
    '',
    paragraph('Coming from marp-cli: its flags work here, with the same names (-I, --theme, --title, -o talk.pdf …), and:'),
    ...MARP,
    '',
    'Run `deck <command> --help` for the options of one command.',
    FOOTER,
    '',
  ].join('\n')
}

/** `deck <command> --help`: its usage, what it does, its own options, then the shared ones. */
export function commandHelp(command: Command): string {
  const own = optionLines(command.flags)
  return [
    `Usage: deck ${command.name} ${command.usage}`.trimEnd(),
    '',
    paragraph(command.description),
    '',
    ...(own.length ? [`Options of ${command.name}:`, ...own, ''] : []),
    ...(command.buildFlags ? ['Build options (also in deck.config.json; flags win over it):', ...optionLines(BUILD_FLAGS), ''] : []),
    ...optionLines(GLOBAL_FLAGS),
    '',
    ...(command.buildFlags ? ['marp-cli spellings:', ...MARP, ''] : []),
    FOOTER,
    '',
  ].join('\n')
}

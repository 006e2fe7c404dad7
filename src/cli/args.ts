import { existsSync } from 'node:fs'
import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { suggestKey } from '../config/check.js'
import { DeckError, ExitCode } from '../util/errors.js'
import type { Command, FlagValues, Flags } from './command.js'
import { COMMANDS } from './commands.js'
import { MARP_ANSWER_FLAGS, marpAnswer } from './marp-flags.js'
import { BUILD_FLAGS, GLOBAL_FLAGS } from './options.js'

/*
 * The command line read as a command, its flags and its decks. Options may come anywhere, before
 * or after the command (`deck -f pdf watch`). Every mistake is one usage error (exit 2) with a
 * hint: the flag or command meant, by edit distance, or the command that does what a marp-cli
 * flag did.
 */

export interface CommandLine {
  command: Command
  values: FlagValues
  /** Positional arguments other than the command's name. */
  inputs: string[]
  /** `--help`, `-h` or `deck help [command]`: the help of `command`, else the overview. */
  help?: { command?: Command }
  version: boolean
}

type ParserOptions = NonNullable<ParseArgsConfig['options']>

function parserOptions(flags: Flags): ParserOptions {
  const out: ParserOptions = {}
  for (const [name, f] of Object.entries(flags)) {
    out[name] = { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }
  }
  return out
}

/** The flags a command takes. */
export function flagsOf(command: Command): Flags {
  return { ...(command.buildFlags ? BUILD_FLAGS : {}), ...command.flags, ...GLOBAL_FLAGS }
}

const BUILD = COMMANDS[0]!
const NAMES = [...COMMANDS.map((c) => c.name), 'help']

const usage = (message: string, hint: string): DeckError => new DeckError(message, { code: ExitCode.USAGE, hint })

/** A word as the shell would need it to be typed again. */
const shellWord = (word: string): string => (/^[\w./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)

function unknownCommand(word: string): DeckError {
  const near = suggestKey(word, NAMES)
  const list = `Commands: ${NAMES.join(', ')}.`
  return usage(`unknown command: ${word}`, near ? `Did you mean \`deck ${near}\`? ${list}` : list)
}

/**
 * A first word that names no file or folder and is a command's name mistyped (`buld`). A word with
 * a dot or a slash is a path, and a word far from every name a deck that the build reports missing.
 */
function mistypedCommand(word: string, cwd: string): boolean {
  if (/[./\\]/.test(word) || existsSync(path.resolve(cwd, word))) return false
  return suggestKey(word, NAMES) !== undefined
}

function unknownFlag(rawName: string, name: string, command: Command, allowed: Flags): DeckError {
  const help = `Run \`deck ${command.name} --help\` for its options.`
  const owner = COMMANDS.find((c) => c !== command && name in flagsOf(c))
  if (owner && rawName.startsWith('--'))
    return usage(
      `${rawName} is an option of \`deck ${owner.name}\`, not of \`deck ${command.name}\``,
      `Run \`deck ${owner.name} --help\` for its options.`,
    )
  if (rawName.startsWith('--no-') && allowed[name.slice(3)]?.type === 'boolean') {
    return usage(
      `unknown option ${rawName}`,
      `--${name.slice(3)} is off unless given: leave the flag out (a config file that turns it on decides otherwise).`,
    )
  }
  const near = rawName.startsWith('--') ? suggestKey(name, Object.keys(allowed)) : undefined
  return usage(`unknown option ${rawName}`, near ? `Did you mean --${near}? ${help}` : help)
}

/** Node's parseArgs message (several sentences over several lines) as one line and a hint. */
function parseError(e: unknown, command: Command): DeckError {
  const [first = '', ...rest] = (e as Error).message.split('\n')
  const hint = [...rest, `Run \`deck ${command.name} --help\` for its options.`].join(' ')
  return usage(first.replace(/\.$/, ''), hint)
}

export function parseCommandLine(argv: readonly string[], cwd: string): CommandLine {
  const every: Flags = { ...BUILD_FLAGS, ...Object.assign({}, ...COMMANDS.map((c) => c.flags)), ...GLOBAL_FLAGS, ...MARP_ANSWER_FLAGS }
  // A first pass that knows every flag of every command, so that a flag's value is never taken
  // for the command or a deck; it reports unknown flags as tokens instead of failing.
  const { tokens } = parseArgs({ args: [...argv], options: parserOptions(every), strict: false, allowPositionals: true, tokens: true })
  const positionals = tokens.filter((t) => t.kind === 'positional')
  const first = positionals[0]
  const named = first ? COMMANDS.find((c) => c.name === first.value) : undefined

  for (const t of tokens) {
    if (t.kind !== 'option') continue
    const skip = new Set([t.index, ...(t.value !== undefined && !t.inlineValue ? [t.index + 1] : []), ...(named ? [first!.index] : [])])
    const answer = marpAnswer(
      t.name,
      argv
        .filter((_, i) => !skip.has(i))
        .map(shellWord)
        .join(' '),
    )
    if (answer) throw answer
  }

  // A flag no command knows comes first: its value may have been taken for the command.
  const unknown = tokens.find((t) => t.kind === 'option' && !(t.name in every))
  if (unknown?.kind === 'option') {
    const command = named ?? BUILD
    throw unknownFlag(unknown.rawName, unknown.name, command, flagsOf(command))
  }

  if (first?.value === 'help') {
    const target = positionals[1]?.value
    const command = target === undefined ? undefined : COMMANDS.find((c) => c.name === target)
    if (target !== undefined && !command) throw unknownCommand(target)
    return { command: command ?? BUILD, values: {}, inputs: [], help: command ? { command } : {}, version: false }
  }
  if (first && !named && mistypedCommand(first.value, cwd)) throw unknownCommand(first.value)

  const command = named ?? BUILD
  const allowed = flagsOf(command)
  for (const t of tokens) {
    if (t.kind === 'option' && !(t.name in allowed)) throw unknownFlag(t.rawName, t.name, command, allowed)
  }
  let values: FlagValues
  try {
    values = parseArgs({ args: [...argv], options: parserOptions(allowed), strict: true, allowPositionals: true }).values as FlagValues
  } catch (e) {
    throw parseError(e, command)
  }
  const inputs = positionals.filter((t) => !(named && t === first)).map((t) => t.value)
  const help = values['help'] === true ? { help: named ? { command } : {} } : {}
  return { command, values, inputs, ...help, version: values['version'] === true }
}

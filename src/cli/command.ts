import type { Printer } from './printer.js'

/*
 * A subcommand of `deck`: its own flags (with the shared build flags when `buildFlags` is set),
 * its help and what it runs. Add a command by adding a file in this folder and a line to COMMANDS.
 */

/** One flag: how parseArgs reads it and how the help shows it. */
export interface FlagSpec {
  type: 'string' | 'boolean'
  short?: string
  multiple?: boolean
  /** The value's placeholder in the help, e.g. `<dir>`. */
  arg?: string
  /** One line of help (wrapped to the terminal's 100 columns by the help printer). */
  help: string
  /** Parsed and honoured, but left out of the help (another spelling of a listed flag). */
  hidden?: boolean
}
export type Flags = Record<string, FlagSpec>
export type FlagValues = Record<string, string | boolean | string[] | boolean[] | undefined>

export interface CommandContext {
  cwd: string
  printer: Printer
  values: FlagValues
  /** Positional arguments after the command name. */
  inputs: string[]
}

export interface Command {
  name: string
  /** One line for the command list. */
  summary: string
  /** What `deck <name> --help` says under its usage line. */
  description: string
  /** The usage line's arguments after `deck <name>`. */
  usage: string
  /** Whether the shared build flags (--out, --format, --theme …) apply. */
  buildFlags: boolean
  flags: Flags
  run(ctx: CommandContext): Promise<number>
}

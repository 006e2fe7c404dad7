import type { ParseArgsConfig } from 'node:util'
import type { Printer } from './printer.js'
import { buildCommand } from './build.js'
import { lintCommand } from './lint.js'
import { watchCommand } from './watch.js'

/*
 * A subcommand of `deck`: its own flags (merged with the shared build flags), its help text and
 * what it runs. Add a command by adding a file in this folder and a line to COMMANDS.
 */

export type Flags = NonNullable<ParseArgsConfig['options']>
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
  summary: string
  flags: Flags
  /** Help lines for the command's own flags, already aligned. */
  help: string[]
  run(ctx: CommandContext): Promise<number>
}

export const COMMANDS: Command[] = [buildCommand, watchCommand, lintCommand]

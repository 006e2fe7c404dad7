import type { Command } from './command.js'
import { buildCommand } from './build.js'
import { indexCommand } from './index-command.js'
import { initCommand } from './init.js'
import { lintCommand } from './lint.js'
import { watchCommand } from './watch.js'

/** Every command of `deck`; add one by adding a file in this folder and a line here. */
export const COMMANDS: Command[] = [buildCommand, watchCommand, lintCommand, indexCommand, initCommand]

#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ into lib/ by `npm install` (`prepare`) or
// `npm run compile`.
import { existsSync } from 'node:fs'

const entry = new URL('../lib/src/cli.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('deck: lib/ is missing; run `npm run setup` (or `npm install`) first.\n')
  process.exit(2)
}
const cli = await import(entry.href)
process.exitCode = await cli.main(process.argv.slice(2))

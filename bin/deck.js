#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ into lib/ by `npm install` (`prepare`) or
// `npm run compile`.
import { existsSync } from 'node:fs'

const entry = new URL('../lib/src/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('deck: lib/ is missing; run `npm run setup` (or `npm install`) first.\n')
  process.exit(2)
}
const cli = await import(entry.href)
const code = await cli.main(process.argv.slice(2))
// Everything of ours is closed by now, but a library may keep a timer (puppeteer waits up to
// 30 s for a page target that a closed browser never sends): exit once the output is flushed.
const flushed = (stream) => new Promise((resolve) => stream.write('', resolve))
await Promise.all([flushed(process.stdout), flushed(process.stderr)])
process.exit(code)

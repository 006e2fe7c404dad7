#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/ into lib/ by `npm install` (the `prepare` script).
import('../lib/src/cli.js').then((cli) => cli.main(process.argv.slice(2))).then((code) => {
  process.exitCode = code
})

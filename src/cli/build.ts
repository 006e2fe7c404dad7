import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { toGithub, toJson } from '../lint/report.js'
import { parseShard } from '../config/shard.js'
import { build } from '../pipeline/run.js'
import { ExitCode } from '../util/errors.js'
import type { Command } from './command.js'
import { optionsFromFlags } from './options.js'

/** `deck build`: every named deck (default: slides/) to every requested format. */
export const buildCommand: Command = {
  name: 'build',
  summary: 'Build decks once (the default command: `deck talk.md` is `deck build talk.md`)',
  description:
    "Builds each deck named (a Markdown file or a folder of them; default: every .md under slides/, or the config's decks) " +
    "to each format, into dist/ with the decks' folder layout. `-o talk.pdf` writes one deck's one format to that file.",
  usage: '[decks or folders...] [options]',
  buildFlags: true,
  flags: {
    summary: {
      type: 'string',
      arg: '<file>',
      help: 'Append a Markdown summary (decks, slides, outputs, sizes, findings), e.g. "$GITHUB_STEP_SUMMARY"',
    },
    index: {
      type: 'boolean',
      help: 'Write index.html in the output folder: each deck with its title, slide count, a thumbnail and links (for GitHub Pages)',
    },
    force: { type: 'boolean', help: 'Build every deck, even those the build cache (<out>/.deck-manifest.json) finds up to date' },
    shard: {
      type: 'string',
      arg: '<i/n>',
      help: 'Build part i of n of the decks, split by path (e.g. 2/4 on a CI matrix); then `deck index`',
    },
    strict: { type: 'boolean', help: 'Exit 4 when there is any finding, once every output is written (also "lint.strict")' },
    'report-file': {
      type: 'string',
      arg: '<file>',
      help: 'Write the decks, slides, errors and findings as JSON (the `deck lint --json` shape, plus outDir) to this file',
    },
  },
  run: async ({ inputs, values, cwd, printer }) => {
    const summary = values['summary']
    const reportFile = values['report-file']
    const result = await build({
      ...optionsFromFlags(values, inputs, cwd),
      ...(typeof summary === 'string' ? { summary } : {}),
      ...(values['strict'] === true ? { lint: { strict: true } } : {}),
      index: values['index'] === true,
      ...(values['force'] === true ? { force: true } : {}),
      ...(typeof values['shard'] === 'string' ? { shard: parseShard(values['shard']) } : {}),
      onEvent: (event) => printer.event(event),
    })
    const report = { results: result.decks, failed: result.exitCode !== ExitCode.OK }
    // In GitHub Actions the findings also land as annotations on the Markdown lines.
    if (process.env['GITHUB_ACTIONS'] === 'true') {
      const annotations = toGithub(report, cwd)
      if (annotations) printer.data(annotations)
    }
    if (typeof reportFile === 'string') {
      // The lint JSON (version 1) and the output folder, relative to the working folder.
      const json = { ...toJson(report, cwd), outDir: path.relative(cwd, result.outDir) || '.' }
      await writeFile(path.resolve(cwd, reportFile), `${JSON.stringify(json, null, 2)}\n`)
    }
    printer.buildDone(result)
    if (result.exitCode === ExitCode.LINT_FAILED) {
      const findings = result.decks.reduce((n, r) => n + r.findings.length, 0)
      printer.report(
        `strict: ${findings} finding${findings === 1 ? '' : 's'} remain, so the build fails (exit 4); the outputs are written.`,
      )
    }
    return result.exitCode
  },
}

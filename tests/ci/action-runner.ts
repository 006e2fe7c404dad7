import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'

/*
 * Runs a composite action's shell steps here, as the runner would: each `run:` script with
 * `bash --noprofile --norc -eo pipefail`, its `env:` with the `${{ }}` expressions filled in from
 * the inputs (defaults from action.yml), `github.*`, `runner.*` and the outputs of the steps
 * before it (read back from $GITHUB_OUTPUT), in its working directory, each step's `if:`
 * evaluated. GitHub's own actions (`uses:`) are not run: their `if:` and `with:` are recorded.
 */

export interface ActionStep {
  name?: string
  id?: string
  if?: string
  uses?: string
  run?: string
  shell?: string
  env?: Record<string, string>
  with?: Record<string, string>
  'working-directory'?: string
}

export interface ActionInput {
  description: string
  required?: boolean
  default?: string
}

export interface ActionMetadata {
  name: string
  description: string
  inputs: Record<string, ActionInput>
  outputs: Record<string, { description: string; value: string }>
  runs: { using: string; steps: ActionStep[] }
}

export async function readAction(file: string): Promise<ActionMetadata> {
  return parse(await readFile(file, 'utf8')) as ActionMetadata
}

export interface Context {
  inputs: Record<string, string>
  github: Record<string, string>
  runner: Record<string, string>
  steps: Record<string, { outputs: Record<string, string> }>
}

// A small evaluator for the expressions an action uses: context paths, string literals, ==, !=,
// &&, ||, ! and parentheses. Comparisons are of strings; a missing value is ''.
type Value = string | boolean

function tokenize(expr: string): string[] {
  const tokens = expr.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[!(),]|[A-Za-z_][\w.-]*|\S/g) ?? []
  return tokens
}

export function evaluate(expr: string, ctx: Context): Value {
  const tokens = tokenize(expr)
  let i = 0
  const peek = () => tokens[i]
  const next = () => tokens[i++]
  const truthy = (v: Value) => (typeof v === 'boolean' ? v : v !== '')
  const primary = (): Value => {
    const t = next()
    if (t === undefined) throw new Error(`unexpected end of ${expr}`)
    if (t === '(') {
      const v = or()
      if (next() !== ')') throw new Error(`missing ) in ${expr}`)
      return v
    }
    if (t === '!') return !truthy(primary())
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'")
    if (peek() === '(') return call(t)
    if (t === 'true' || t === 'false') return t === 'true'
    if (/^[A-Za-z_]/.test(t)) return lookup(t, ctx)
    throw new Error(`unexpected ${t} in ${expr}`)
  }
  // Functions: the status checks are true (a step runs only after successes here), and
  // hashFiles gives a stand-in (no cache is kept by this runner).
  const call = (name: string): Value => {
    next()
    const args: Value[] = []
    while (peek() !== ')') {
      args.push(or())
      if (peek() === ',') next()
    }
    next()
    if (['success', 'always', '!cancelled'].includes(name)) return true
    if (name === 'hashFiles') return `hash(${args.join(',')})`
    throw new Error(`unknown function ${name} in ${expr}`)
  }
  const comparison = (): Value => {
    const left = primary()
    const op = peek()
    if (op !== '==' && op !== '!=') return left
    next()
    const right = primary()
    const same = String(left).toLowerCase() === String(right).toLowerCase()
    return op === '==' ? same : !same
  }
  const and = (): Value => {
    let v = comparison()
    while (peek() === '&&') {
      next()
      const r = comparison()
      v = truthy(v) ? r : v
    }
    return v
  }
  const or = (): Value => {
    let v = and()
    while (peek() === '||') {
      next()
      const r = and()
      v = truthy(v) ? v : r
    }
    return v
  }
  const value = or()
  if (i !== tokens.length) throw new Error(`unexpected ${tokens[i]} in ${expr}`)
  return value
}

function lookup(ref: string, ctx: Context): string {
  const [head, ...rest] = ref.split('.')
  if (head === 'inputs') return ctx.inputs[rest.join('.')] ?? ''
  if (head === 'github') return ctx.github[rest.join('.')] ?? ''
  if (head === 'runner') return ctx.runner[rest.join('.')] ?? ''
  if (head === 'steps' && rest[1] === 'outputs') return ctx.steps[rest[0]!]?.outputs[rest.slice(2).join('.')] ?? ''
  throw new Error(`unknown context in ${ref}`)
}

/** Every `${{ expr }}` in `text` replaced by its value. */
export function substitute(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expr: string) => String(evaluate(expr, ctx)))
}

/** $GITHUB_OUTPUT's `name=value` lines and `name<<DELIM` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const block = /^([\w-]+)<<(.+)$/.exec(line)
    if (block) {
      const end = lines.indexOf(block[2]!, i + 1)
      out[block[1]!] = lines.slice(i + 1, end).join('\n')
      i = end
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

export interface StepRun {
  step: ActionStep
  /** Whether its `if:` let it run (for `uses:` steps: whether it would). */
  ran: boolean
  code?: number
  stdout?: string
  stderr?: string
  /** For a `uses:` step: its `with:`, expressions filled in. */
  with?: Record<string, string>
  /** What a shell step wrote to $GITHUB_OUTPUT. */
  outputs?: Record<string, string>
}

export interface ActionRun {
  steps: StepRun[]
  /** The action's outputs, from its `outputs.*.value` expressions. */
  outputs: Record<string, string>
  /** The exit code of the first failed step, else 0. */
  code: number
  /** What the steps wrote to $GITHUB_STEP_SUMMARY. */
  summary: string
}

export interface RunActionOptions {
  actionPath: string
  workspace: string
  inputs?: Record<string, string>
  env?: NodeJS.ProcessEnv
  /** Only the steps with these ids (and the `uses:` steps before them are recorded). */
  only?: string[]
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

export async function runAction(action: ActionMetadata, options: RunActionOptions): Promise<ActionRun> {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'deck-action-'))
  const inputs: Record<string, string> = {}
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = options.inputs?.[name] ?? spec.default ?? ''
  const ctx: Context = {
    inputs,
    github: { action_path: options.actionPath, workspace: options.workspace, sha: '0123456789abcdef0123456789abcdef01234567' },
    runner: { os: 'Linux', arch: 'X64', temp, tool_cache: path.join(temp, 'tool-cache') },
    steps: {},
  }
  const summary = path.join(temp, 'step-summary.md')
  await writeFile(summary, '')
  const runs: StepRun[] = []
  let code = 0
  try {
    for (const [n, step] of action.runs.steps.entries()) {
      if (options.only && !(step.id && options.only.includes(step.id))) continue
      const ran = code === 0 && (step.if === undefined || Boolean(evaluate(step.if, ctx)))
      if (step.uses) {
        const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, ran ? substitute(String(v), ctx) : String(v)]))
        runs.push({ step, ran, with: withs })
        continue
      }
      if (!ran) {
        runs.push({ step, ran })
        continue
      }
      const output = path.join(temp, `output-${n}`)
      await writeFile(output, '')
      const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), ctx)]))
      const env = {
        ...options.env,
        GITHUB_ACTIONS: 'true',
        CI: 'true',
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_WORKSPACE: options.workspace,
        RUNNER_TEMP: temp,
        ...stepEnv,
      }
      const dir = path.resolve(options.workspace, substitute(step['working-directory'] ?? '.', ctx))
      const result = await bash(step.run ?? '', dir, env)
      const outputs = parseOutputs(await readFile(output, 'utf8'))
      if (step.id) ctx.steps[step.id] = { outputs }
      runs.push({ step, ran: true, ...result, outputs })
      if (result.code !== 0) code = result.code
    }
    const outputs = Object.fromEntries(Object.entries(action.outputs).map(([k, o]) => [k, substitute(o.value, ctx)]))
    return { steps: runs, outputs, code, summary: await readFile(summary, 'utf8') }
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
}

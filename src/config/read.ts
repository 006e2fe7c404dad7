import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Document } from 'yaml'

/** The yaml package, loaded only when a JSON or YAML config is read (most builds have none). */
type Yaml = typeof import('yaml')
import { DeckError, ExitCode } from '../util/errors.js'
import type { LineOf } from './check.js'

/** A config file's parsed value, and where its keys are when the format tells it. */
export interface ConfigSource {
  value: unknown
  lineOf: LineOf
}

const noLines: LineOf = () => undefined

const JS = new Set(['.js', '.mjs', '.cjs'])
const TS = new Set(['.ts', '.mts', '.cts'])
const YAML = new Set(['.yml', '.yaml', ''])

function usage(file: string, message: string, hint: string, line?: number, cause?: unknown): DeckError {
  return new DeckError(message, { code: ExitCode.USAGE, location: { file, ...(line ? { line } : {}) }, hint, cause })
}

/**
 * Read one config file: JSON, YAML (also `.marprc` without extension, as marp-cli reads it),
 * JavaScript (imported) or TypeScript (through jiti). `packageKey` picks a key of a package.json;
 * the result is undefined when the package.json has none.
 */
export async function readConfigFile(file: string, packageKey?: string): Promise<ConfigSource | undefined> {
  const ext = path.extname(file).toLowerCase()
  if (JS.has(ext) || TS.has(ext)) return { value: await importConfig(file, TS.has(ext)), lineOf: noLines }
  const text = await readText(file)
  const yaml = await import('yaml')
  if (ext === '.json') {
    const json = parseJson(text, file)
    if (packageKey === undefined) return { value: json, lineOf: keyLines(yaml, text) }
    const own =
      json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>)[packageKey] : undefined
    return own === undefined ? undefined : { value: own, lineOf: keyLines(yaml, text, [packageKey]) }
  }
  if (YAML.has(ext)) return { value: parseYaml(yaml, text, file), lineOf: keyLines(yaml, text) }
  throw usage(file, `cannot read a config file of type "${ext}"`, 'Config files are .json, .yml, .yaml, .js, .mjs, .cjs or .ts.')
}

async function readText(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw usage(file, 'config file not found', 'Check the path given to --config-file.')
    throw usage(file, `cannot read the config file (${code ?? (e as Error).message})`, 'Check that the file is readable.', undefined, e)
  }
}

/** The 1-based line of a character offset. */
const lineAt = (text: string, offset: number): number => text.slice(0, offset).split('\n').length

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    const message = (e as Error).message
    const lineCol = /line (\d+) column \d+/.exec(message)
    const position = /position (\d+)/.exec(message)
    const line = lineCol ? Number(lineCol[1]) : position ? lineAt(text, Number(position[1])) : undefined
    throw usage(
      file,
      `not valid JSON: ${message}`,
      'JSON needs double-quoted keys and strings, and no trailing commas or comments.',
      line,
      e,
    )
  }
}

function parseYaml({ LineCounter, parseDocument }: Yaml, text: string, file: string): unknown {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  const error = doc.errors[0]
  if (error) {
    const line = error.linePos?.[0].line ?? lineCounter.linePos(error.pos[0]).line
    throw usage(file, `not valid YAML: ${error.message}`, 'Check the indentation and the quoting on that line.', line, error)
  }
  return doc.toJS() ?? {}
}

/** Where each key of a JSON or YAML file is, found on demand (JSON parses as YAML too). */
function keyLines({ isMap, isScalar, LineCounter, parseDocument }: Yaml, text: string, prefix: string[] = []): LineOf {
  let parsed: { doc: Document; counter: InstanceType<Yaml['LineCounter']> } | undefined
  return (keyPath) => {
    if (!parsed) {
      const counter = new LineCounter()
      parsed = { doc: parseDocument(text, { lineCounter: counter }), counter }
    }
    let node: unknown = parsed.doc.contents
    let line: number | undefined
    for (const part of [...prefix, ...keyPath.split('.')]) {
      if (!isMap(node)) break
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === part)
      const start = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined
      if (!pair || start === undefined) break
      line = parsed.counter.linePos(start).line
      node = pair.value
    }
    return line
  }
}

/** The line of the config file in a thrown error's stack (syntax errors name it on their first line). */
function lineInStack(e: unknown, file: string): number | undefined {
  const stack = e instanceof Error ? `${e.stack ?? ''}` : ''
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const re = new RegExp(`(?:${escape(pathToFileURL(file).href)}|${escape(file)}):(\\d+)`)
  const m = re.exec(stack)
  return m ? Number(m[1]) : undefined
}

/**
 * Import a JS or TS config and return its default export (awaited). Node keeps an imported JS
 * module for the life of the process; a TS config is compiled afresh on every call.
 */
async function importConfig(file: string, typescript: boolean): Promise<unknown> {
  if (!(await stat(file).catch(() => undefined))) throw usage(file, 'config file not found', 'Check the path given to --config-file.')
  let mod: unknown
  try {
    if (typescript) {
      // Node 20 cannot run TypeScript; jiti compiles it in memory and leaves no cache behind.
      const { createJiti } = await import('jiti')
      const jiti = createJiti(import.meta.url, { moduleCache: false, fsCache: false, interopDefault: false })
      mod = await jiti.import(file)
    } else {
      mod = await import(pathToFileURL(file).href)
    }
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e)
    const esm = /export|import statement|Unexpected token/.test(message) && path.extname(file) === '.js'
    const hint = esm
      ? 'A .js config with `export` needs "type": "module" in package.json; or name it .mjs.'
      : 'Fix the error in the config file; it runs when deck starts.'
    throw usage(file, `the config file failed to load: ${message.split('\n')[0]}`, hint, lineInStack(e, file), e)
  }
  const value = (mod as { default?: unknown } | null)?.default
  if (value === undefined) {
    throw usage(
      file,
      'the config file has no default export',
      'Export the settings: `export default defineConfig({ … })`, or `module.exports = { … }`.',
    )
  }
  try {
    return await value
  } catch (e) {
    throw usage(
      file,
      `the config's default export failed: ${e instanceof Error ? e.message : String(e)}`,
      'Fix the promise the config exports.',
      lineInStack(e, file),
      e,
    )
  }
}

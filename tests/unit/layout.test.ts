import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/project.js'

/**
 * The folder tree is the architecture: these checks keep it so. ESLint's import-x/no-cycle
 * covers value imports; this graph also counts type-only imports, which that rule skips.
 */
const SRC = path.join(ROOT, 'src')

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name)
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : []
  })
}

/** Each module's relative imports (static, dynamic and type-only), as module paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8')
    const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!)
    graph.set(
      file,
      specs.map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts')),
    )
  }
  return graph
}

const rel = (f: string) => path.relative(SRC, f)

describe('source layout', () => {
  it('has no import cycle, type-only imports included', () => {
    const graph = importGraph()
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map(rel).join(' → '))
        return
      }
      state.set(file, 'open')
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...trail, file])
      state.set(file, 'done')
    }
    for (const file of graph.keys()) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('keeps the stages layered: render never imports an exporter, the browser layer or the CLI; util imports no stage', () => {
    const graph = importGraph()
    const bad: string[] = []
    for (const [file, imports] of graph) {
      const from = rel(file).split(path.sep)[0]!
      for (const target of imports) {
        const to = rel(target).split(path.sep)[0]!
        if (from === 'render' && ['export', 'browser', 'cli', 'pipeline', 'watch', 'preview'].includes(to))
          bad.push(`${rel(file)} → ${rel(target)}`)
        if (from === 'util' && to !== 'util') bad.push(`${rel(file)} → ${rel(target)}`)
        if (from !== 'cli' && to === 'cli') bad.push(`${rel(file)} → ${rel(target)}`)
      }
    }
    expect(bad).toEqual([])
  })

  it('has no source file over 400 lines', () => {
    const long = sources(SRC)
      .map((f) => ({ f: rel(f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((x) => x.lines > 400)
    expect(long).toEqual([])
  })
})

import { existsSync } from 'node:fs'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { onCleanup } from './measure.js'

/**
 * Bench inputs: the seed deck and a generated large deck, written into a throw-away project
 * folder (deck files + a copy of css/) so no bench ever touches slides/ or dist/, and both tools
 * see the same files from the same working directory.
 */

/** The repository root: the nearest folder above this file with our package.json. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'slides'))) return dir
    const up = path.dirname(dir)
    if (up === dir) throw new Error('bench: cannot find the repository root (package.json next to slides/)')
    dir = up
  }
}

export const SEED_DECK = 'cni-deep-dive.md'

/**
 * The seed's front matter without its invalid `@auto-scaling: true` line. The theme is named,
 * not a path: marp-cli resolves `theme:` only by name through --theme-set, so a name gives both
 * tools the palette theme and the comparison renders the same slides.
 */
const FRONT_MATTER = ['---', 'marp: true', 'theme: palette-3', 'paginate: true', 'class: font-xs', '---'].join('\n')

// A fixed seed: every run and every tool gets byte-identical input, yet no two slides match, so
// neither tool's per-code-block highlight cache can turn 200 fences into four.
function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const WORDS = [
  'bridge',
  'vxlan',
  'geneve',
  'macvlan',
  'ipvlan',
  'calico',
  'cilium',
  'flannel',
  'multus',
  'whereabouts',
  'ovn',
  'sriov',
  'portmap',
  'bandwidth',
  'tuning',
  'firewall',
]
const TOPICS = [
  'Pod networking',
  'Service routing',
  'Network policy',
  'IP address management',
  'Overlay tunnels',
  'Egress gateways',
  'Host networking',
  'Observability',
]
const VERBS = ['configures', 'allocates', 'tears down', 'validates', 'chains', 'inspects', 'rewrites', 'publishes']

function fence(kind: number, n: number, pick: <T>(xs: readonly T[]) => T, int: (lo: number, hi: number) => number): string[] {
  const w = pick(WORDS)
  const w2 = pick(WORDS)
  const a = int(1, 250)
  const b = int(0, 255)
  const port = int(1024, 65000)
  switch (kind) {
    case 0:
      return [
        '```yaml',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: ${w}-${n}`,
        '  labels:',
        `    app: ${w}`,
        'spec:',
        `  replicas: ${int(1, 9)}`,
        '  template:',
        '    spec:',
        '      containers:',
        `        - name: ${w2}`,
        `          image: registry.local/${w2}:1.${int(0, 40)}.${n}`,
        '          ports:',
        `            - containerPort: ${port}`,
        '```',
      ]
    case 1:
      return [
        '```bash',
        '#!/usr/bin/env bash',
        'set -euo pipefail',
        `NS="${w}-${n}"`,
        'kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -',
        `for i in $(seq 1 ${int(2, 9)}); do`,
        '  echo "rollout $i"',
        `  kubectl -n "$NS" rollout status deploy/${w2} --timeout=${int(10, 300)}s`,
        'done',
        `if ip link show eth${int(0, 9)} >/dev/null 2>&1; then`,
        `  ip addr add 10.${a}.${b}.1/24 dev eth${n % 10}`,
        'else',
        `  echo "no interface for ${w}" >&2`,
        'fi',
        `curl -fsS "http://${w2}.$NS.svc:${port}/healthz"`,
        'exit 0',
        '```',
      ]
    case 2: {
      const T = w.charAt(0).toUpperCase() + w.slice(1)
      return [
        '```ts',
        `interface ${T}Config {`,
        '  name: string',
        '  replicas: number',
        '  port: number',
        '}',
        '',
        `export async function deploy${T}${n}(cfg: ${T}Config): Promise<number> {`,
        '  const started = Date.now()',
        '  for (let i = 0; i < cfg.replicas; i++) {',
        `    await fetch(\`http://\${cfg.name}:\${cfg.port}/start?i=\${i}&n=${n}\`)`,
        '  }',
        '  const elapsed = Date.now() - started',
        `  console.log(\`${w2} \${cfg.name} ready in \${elapsed} ms\`)`,
        `  return elapsed + ${int(0, 999)}`,
        '}',
        '```',
      ]
    }
    default:
      return [
        '```json',
        '{',
        '  "cniVersion": "1.0.0",',
        `  "name": "${w}-${n}",`,
        '  "plugins": [',
        '    {',
        `      "type": "${w2}",`,
        '      "ipam": {',
        '        "type": "host-local",',
        `        "subnet": "10.${a}.${b}.0/24",`,
        `        "gateway": "10.${a}.${b}.1"`,
        '      }',
        '    },',
        `    { "type": "portmap", "capabilities": { "portMappings": ${n % 2 === 0} } }`,
        '  ]',
        '}',
        '```',
      ]
  }
}

/**
 * A deck of `slides` slides: a title slide, then slides with a heading, a list or a table (or
 * both), a 15-line fence that cycles yaml/bash/ts/json, an occasional slide class and speaker
 * notes on every third slide (PPTX carries notes).
 */
export function generateDeck(slides = 200, seed = 2): string {
  const rnd = prng(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const out: string[] = [
    FRONT_MATTER,
    '<!-- _class: bg-tertiary -->',
    '<!-- _paginate: skip -->',
    '',
    `# Generated benchmark deck (${slides} slides)`,
    '',
    'Headings, lists, tables and code on every slide.',
    '',
  ]
  for (let n = 2; n <= slides; n += 1) {
    const kind = n % 4
    out.push('---', '')
    if (n % 25 === 0) out.push('<!-- _class: bg-secondary font-xs -->', '')
    out.push(`## ${n}. ${pick(TOPICS)}: ${pick(WORDS)} ${pick(VERBS)} ${pick(WORDS)}`, '')
    if (kind !== 1) {
      for (let i = 0, items = kind === 3 ? 2 : 3; i < items; i += 1) {
        out.push(`- **${pick(WORDS)}** ${pick(VERBS)} the ${pick(WORDS)} plugin (${int(1, 99)} ms, step ${i + 1} of slide ${n})`)
      }
      out.push('')
    }
    if (kind === 1 || kind === 3) {
      out.push('| Plugin | Role | Latency | Slide |', '| --- | --- | ---: | ---: |')
      for (let i = 0; i < 3; i += 1) out.push(`| ${pick(WORDS)} | ${pick(VERBS)} | ${int(1, 500)} ms | ${n} |`)
      out.push('')
    }
    out.push(...fence(n % 4, n, pick, int), '')
    if (n % 3 === 0) out.push(`<!-- Speaker notes for slide ${n}: mention ${pick(WORDS)} and ${pick(WORDS)}. -->`, '')
  }
  return out.join('\n')
}

export interface BenchProject {
  dir: string
  /** The seed deck, copied byte for byte (its broken front matter included). */
  seed: string
  /** The generated deck. */
  large: string
  slides: number
  dispose(): Promise<void>
}

/** A temp project: css/ copied from the repo, the seed deck and a generated deck side by side. */
export async function createBenchProject(opts: { slides: number }): Promise<BenchProject> {
  const root = repoRoot()
  const dir = await mkdtemp(path.join(os.tmpdir(), 'deck-bench-'))
  const dispose = onCleanup(() => rm(dir, { recursive: true, force: true }))
  await cp(path.join(root, 'css'), path.join(dir, 'css'), { recursive: true })
  const seed = path.join(dir, SEED_DECK)
  await writeFile(seed, await readFile(path.join(root, 'slides', SEED_DECK)))
  const large = path.join(dir, `generated-${opts.slides}.md`)
  await writeFile(large, generateDeck(opts.slides))
  return { dir, seed, large, slides: opts.slides, dispose }
}

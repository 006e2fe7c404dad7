import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Builder } from '../../src/pipeline/builder.js'
import { buildOptions, tempProject } from '../helpers/project.js'

// Pages updated in place (watch mode's warm pages, a big deck's chunks) must show what a fresh
// load shows. marp-core turns `<pre is="marp-pre">` into its own `<marp-pre>` element only when
// its inline script runs, which it does on a page's first load alone: code put in later used
// to stay a plain <pre>, not auto-scaled, cut off at the slide's edge.

describe('a page updated in place auto-scales code as a fresh page does', () => {
  it('every chunk of a big deck: 60 identical slides give 60 identical pictures', async () => {
    // A code line far wider than the slide, which Marp shrinks to fit. The slides are the same,
    // so their pictures must be: the deck is big enough to be shot in chunks of slides, each
    // chunk put into a page that has held others.
    const slide = `# Same slide\n\n\`\`\`text\n${'wide '.repeat(80)}\n\`\`\`\n`
    const { dir, cleanup } = await tempProject({ 'slides/big.md': `---\nmarp: true\n---\n\n${Array(60).fill(slide).join('\n---\n\n')}` })
    const builder = new Builder(buildOptions(dir, { formats: ['png'] }))
    try {
      await builder.init()
      const result = await builder.buildDeck(path.join(dir, 'slides/big.md'))
      expect(result.errors).toEqual([])
      const pictures = result.outputs
        .filter((o) => o.format === 'png')
        .map((o) => o.file)
        .sort()
      expect(pictures).toHaveLength(60)
      const first = await readFile(pictures[0]!)
      const differ: number[] = []
      for (const [i, file] of pictures.entries()) if (!(await readFile(file)).equals(first)) differ.push(i + 1)
      expect(differ).toEqual([])
    } finally {
      await builder.close()
      await cleanup()
    }
  })
})

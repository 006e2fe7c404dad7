import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/*
 * A repository of small decks, as a course or a talk library has: `slides/part-N/deck-NNN.md`,
 * three slides each, some on a theme that imports another (css/course.css → css/course-base.css),
 * some showing an image (slides/img/logo.png). The build cache and shard tests and the CI
 * measurements in docs/PERFORMANCE.md use it.
 *
 *   node lib/scripts/gen-decks.js <folder> [count]     (default 120 decks)
 */

/** A 2×2 PNG (red, green, blue, white): an image whose bytes are an image. */
export const LOGO_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAsICBgYHh/////wEclwWckfxhMQAAAABJRU5ErkJggg==',
  'base64',
)

export const BASE_THEME = '/* @theme course-base */\n@import "default";\nsection { font-size: 30px; }\nh1 { color: #24527a; }\n'
export const COURSE_THEME = '/* @theme course */\n@import "course-base";\nsection { background: #fdfdf8; }\n'

/** Which decks use what: deck i (0-based) uses the course theme when i % 3 == 0 and the image when i % 4 == 0. */
export const usesTheme = (i: number): boolean => i % 3 === 0
export const usesImage = (i: number): boolean => i % 4 === 0

/** The deck file of deck i, relative to the project root. */
export const deckPath = (i: number): string => `slides/part-${Math.floor(i / 10) + 1}/deck-${String(i + 1).padStart(3, '0')}.md`

export function deckText(i: number, note = ''): string {
  const n = i + 1
  const front = usesTheme(i) ? '---\ntheme: course\n---\n\n' : ''
  const image = usesImage(i) ? '\n![w:120](../img/logo.png)\n' : ''
  return (
    `${front}# Lesson ${n}\n\nWhat lesson ${n} covers.${note}\n${image}\n---\n\n` +
    `## Part one\n\n- A point about ${n}\n- Another point\n\n\`\`\`js\nconsole.log(${n})\n\`\`\`\n\n---\n\n` +
    `## Summary\n\nLesson ${n} in one line.\n`
  )
}

/** Write `count` decks, the themes and the image into `dir` (a project root: it gets a package.json). */
export async function generateDecks(dir: string, count: number): Promise<string[]> {
  const put = async (rel: string, data: string | Uint8Array) => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), data)
  }
  await put('package.json', '{ "name": "generated-decks", "private": true }\n')
  await put('css/course-base.css', BASE_THEME)
  await put('css/course.css', COURSE_THEME)
  await put('slides/img/logo.png', LOGO_PNG)
  const decks: string[] = []
  for (let i = 0; i < count; i += 1) {
    await put(deckPath(i), deckText(i))
    decks.push(path.join(dir, deckPath(i)))
  }
  return decks
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [dir, count] = process.argv.slice(2)
  if (!dir) {
    process.stderr.write('Usage: node lib/scripts/gen-decks.js <folder> [count]\n')
    process.exit(2)
  }
  const decks = await generateDecks(path.resolve(dir), Number(count ?? 120))
  process.stderr.write(`${decks.length} decks in ${path.resolve(dir)}\n`)
}

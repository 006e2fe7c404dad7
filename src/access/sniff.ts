/*
 * What a resource's bytes are, whatever its name or the server's content type says: a deck's
 * `![](/etc/shadow.png)` or a server that answers an image URL with JSON is not an image, and is
 * not embedded. Binary formats are known by their magic bytes (file-type); SVG, which is text,
 * by its root element.
 */

export type MediaKind = 'image' | 'font'

export const KIND_WORDS: Record<MediaKind, string> = { image: 'an image', font: 'a font' }

/** The MIME type of `bytes` when they are an image or a font (as `kinds` allows), else undefined. */
export async function sniffMedia(bytes: Uint8Array, kinds: readonly MediaKind[]): Promise<string | undefined> {
  if (kinds.includes('image') && isSvg(bytes)) return 'image/svg+xml'
  // Loaded on first use: most builds embed no local or remote file.
  const { fileTypeFromBuffer } = await import('file-type')
  const found = await fileTypeFromBuffer(bytes)
  if (!found) return undefined
  const kind = found.mime.split('/')[0]
  if (kind === 'image' && kinds.includes('image')) return found.mime
  if (
    (kind === 'font' || found.ext === 'ttf' || found.ext === 'otf' || found.ext === 'woff' || found.ext === 'woff2') &&
    kinds.includes('font')
  ) {
    return found.mime
  }
  return undefined
}

const SVG_ROOT = /^(?:\s|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(?:\[[\s\S]*?\])?\s*>)*<svg[\s>]/i

/** Text (no NUL byte, valid UTF-8 in its head) whose root element is `<svg>`. */
function isSvg(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096)
  if (head.includes(0)) return false
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head).replace(/^\uFEFF/, '')
  return SVG_ROOT.test(text)
}

/** Whether `bytes` read as text: valid UTF-8 without NUL bytes (a theme's CSS, say). */
export function isText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    return true
  } catch {
    return false
  }
}

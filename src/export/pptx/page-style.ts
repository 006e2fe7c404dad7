import type { Colour, Run, Shadow } from './model.js'

/*
 * Runs in the print page (puppeteer serialises it, so it uses nothing from outside its body):
 * the style readers the text tools (lines.ts) share: colours as the canvas paints them, the font
 * family the browser draws with, text-transform, the width of a no-break space, spacer runs, and
 * the CSS effects (shadows; transforms, filters and blending that only a picture keeps).
 */

export type StyleTools = ReturnType<typeof styleTools>

export function styleTools() {
  const canvas = document.createElement('canvas')
  canvas.width = 1
  canvas.height = 1
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!
  const colours = new Map<string, Colour>()
  /** Any CSS colour (rgb, oklch, color-mix…) as RRGGBB and alpha, as the canvas paints it. */
  const colour = (css: string): Colour => {
    let c = colours.get(css)
    if (c) return c
    ctx.clearRect(0, 0, 1, 1)
    ctx.fillStyle = '#000'
    ctx.fillStyle = css
    ctx.fillRect(0, 0, 1, 1)
    const d = ctx.getImageData(0, 0, 1, 1).data
    const hex = [d[0]!, d[1]!, d[2]!].map((v) => v.toString(16).padStart(2, '0')).join('')
    c = { hex: hex.toUpperCase(), alpha: Math.round((d[3]! / 255) * 100) / 100 }
    colours.set(css, c)
    return c
  }
  const GENERIC: Record<string, string> = {
    serif: 'Times New Roman',
    'ui-serif': 'Times New Roman',
    monospace: 'Courier New',
    'ui-monospace': 'Courier New',
    'sans-serif': 'Arial',
    'ui-sans-serif': 'Arial',
    'system-ui': 'Arial',
  }
  const PROBE = 'mmmmmmmmmmwwwwwlllii1@#'
  const widthOf = (font: string) => {
    ctx.font = font
    return ctx.measureText(PROBE).width
  }
  const available = new Map<string, boolean>()
  /** Whether the browser has the family (a loaded web font, or a system font or its alias): it then measures unlike each generic. */
  const has = (name: string): boolean => {
    let yes = available.get(name)
    if (yes === undefined) {
      yes = ['monospace', 'serif', 'sans-serif'].some((g) => widthOf(`40px "${name}", ${g}`) !== widthOf(`40px ${g}`))
      available.set(name, yes)
    }
    return yes
  }
  const families = new Map<string, string>()
  /** The family of a font-family list the browser draws with: the first it has, or a common stand-in for a generic family. */
  const firstFamily = (list: string): string => {
    let out = families.get(list)
    if (out !== undefined) return out
    const names = list.split(',').map((f) =>
      f
        .trim()
        .replace(/^["']|["']$/g, '')
        .trim(),
    )
    out = names.find((n) => n && !GENERIC[n.toLowerCase()] && !/^(-apple-system|blinkmacsystemfont)$/i.test(n) && has(n))
    out ??= GENERIC[names.find((n) => GENERIC[n.toLowerCase()])?.toLowerCase() ?? 'sans-serif']!
    families.set(list, out)
    return out
  }
  const transform = (text: string, how: string): string =>
    how === 'uppercase'
      ? text.toUpperCase()
      : how === 'lowercase'
        ? text.toLowerCase()
        : how === 'capitalize'
          ? text.replace(/\b\w/g, (c) => c.toUpperCase())
          : text
  const nbspWidths = new Map<string, number>()
  const nbspWidth = (run: Omit<Run, 'text'>): number => {
    const font = `${run.italic ? 'italic ' : ''}${run.bold ? 'bold ' : ''}${run.size}px "${run.font}"`
    let w = nbspWidths.get(font)
    if (w === undefined) {
      ctx.font = font
      w = ctx.measureText('\u00a0').width || run.size / 4
      nbspWidths.set(font, w)
    }
    // Letter spacing goes after every character, a no-break space too.
    return w + (run.spacing ?? 0)
  }

  /**
   * A run exactly `width` px wide with no text to see: one no-break space, letter-spaced to the
   * width, in the style (of those given) whose space is narrowest; none when even that is wider
   * (LibreOffice does not narrow text by negative spacing, and a smaller size in the line upsets
   * its hyperlink colours).
   */
  const spacer = (width: number, styles: Array<Omit<Run, 'text'>>): Run | undefined => {
    // Only what sizes the space: no link, line, spacing, text or text-transform of the style.
    const plain = styles.map((s) => {
      const {
        href: _h,
        underline: _u,
        strike: _s,
        spacing: _c,
        text: _x,
        transform: _t,
        ...rest
      } = s as Partial<Run> & { transform?: string }
      return rest as Omit<Run, 'text'>
    })
    const [style, nbsp] = plain.map((p) => [p, nbspWidth(p)] as const).reduce((a, b) => (b[1] < a[1] ? b : a))
    if (nbsp > width) return undefined
    return { ...style, text: '\u00a0', ...(width - nbsp >= 0.01 ? { spacing: Math.round((width - nbsp) * 100) / 100 } : {}) }
  }

  const px = (css: string): number[] => (css.match(/-?[\d.]+(?:e-?\d+)?px/g) ?? []).map(parseFloat)
  /** The first outer shadow of a computed box-shadow or text-shadow (its colour first, as Chromium writes it); inset ones and spread are left out. */
  const shadow = (css: string, scale = 1): Shadow | undefined => {
    if (!css || css === 'none') return undefined
    for (const part of css.split(/,(?![^(]*\))/)) {
      if (/\binset\b/.test(part)) continue
      const written = part.match(/[a-z-]+\([^)]*\)|#[0-9a-f]+/i)?.[0]
      const c = colour(written ?? 'black')
      const [x = 0, y = 0, blur = 0] = px(written ? part.replace(written, '') : part)
      return c.alpha > 0 ? { colour: c, x: x * scale, y: y * scale, blur: blur * scale } : undefined
    }
    return undefined
  }
  /** Whether a box's transform (other than a translation), filter or blending has no native equivalent: it becomes a picture. */
  const flattens = (s: CSSStyleDeclaration): boolean => {
    if ((s.filter && s.filter !== 'none') || (s.mixBlendMode && s.mixBlendMode !== 'normal')) return true
    if ((s.rotate && s.rotate !== 'none') || (s.scale && s.scale !== 'none')) return true
    if (!s.transform || s.transform === 'none') return false
    const m = new DOMMatrix(s.transform)
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-6
    return !(m.is2D && near(m.a, 1) && near(m.b, 0) && near(m.c, 0) && near(m.d, 1))
  }
  /** How far a box's filter and box-shadow paint outside it, in px (generously: a blur fades over about 3 radii). */
  const spill = (s: CSSStyleDeclaration): number => {
    const filter = s.filter && s.filter !== 'none' ? px(s.filter).reduce((a, v) => a + 3 * Math.abs(v), 0) : 0
    const box =
      s.boxShadow && s.boxShadow !== 'none'
        ? Math.max(0, ...s.boxShadow.split(/,(?![^(]*\))/).map((p) => px(p).reduce((a, v) => a + Math.abs(v), 0)))
        : 0
    return Math.min(96, Math.ceil(filter + box))
  }

  return { ctx, colour, firstFamily, transform, nbspWidth, spacer, shadow, flattens, spill }
}

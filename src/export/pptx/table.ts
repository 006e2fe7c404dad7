import type { Border, Cell, TableItem } from './model.js'
import { seatShift, textRuns } from './text.js'
import { colourOptions, inches, points, type BorderProps, type Slide, type TableCellProps, type TableRow } from './units.js'

/*
 * Tables as native PowerPoint tables: the browser's column widths and row heights, each cell's
 * fill, borders, padding, alignment and text runs (with its line breaks).
 */

function borderOptions(b: Border | undefined): BorderProps {
  if (!b) return { type: 'none' }
  return { type: b.style === 'solid' ? 'solid' : 'dash', pt: points(b.width), color: b.colour.hex }
}

function cellOptions(cell: Cell): TableCellProps {
  // The text sits lower in its line in LibreOffice (see seated): the cell's margins make up for it.
  const shift = cell.paragraphs[0] ? Math.min(seatShift(cell.paragraphs[0]), cell.padding[0]) : 0
  const [t, r, b, l] = [cell.padding[0] - shift, cell.padding[1], cell.padding[2] + shift, cell.padding[3]].map(points) as [
    number,
    number,
    number,
    number,
  ]
  // pptxgenjs reads cell margins as points when the first is 1 or more, else as inches.
  const margin: [number, number, number, number] = t >= 1 ? [t, r, b, l] : [t / 72, r / 72, b / 72, l / 72]
  const align = cell.paragraphs[0]?.align
  return {
    ...(cell.fill ? { fill: colourOptions(cell.fill) } : {}),
    border: cell.borders.map(borderOptions) as [BorderProps, BorderProps, BorderProps, BorderProps],
    margin,
    valign: cell.valign,
    ...(align && align !== 'justify' ? { align } : {}),
    ...(cell.colspan > 1 ? { colspan: cell.colspan } : {}),
    ...(cell.rowspan > 1 ? { rowspan: cell.rowspan } : {}),
  }
}

export function addTable(slide: Slide, item: TableItem): void {
  const rows: TableRow[] = item.rows.map((row) =>
    row.cells.map((cell) => ({
      text: cell.paragraphs.length ? textRuns(cell.paragraphs) : '',
      options: cellOptions(cell),
    })),
  )
  if (!rows.length || !rows[0]!.length) return
  slide.addTable(rows, {
    x: inches(item.box.x),
    y: inches(item.box.y),
    w: inches(item.box.w),
    colW: item.columns.map(inches),
    rowH: item.rows.map((r) => inches(r.height)),
    objectName: 'Table',
  })
}

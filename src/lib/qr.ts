// QR codes for the mini-program without a canvas: the matrix from uqr (a port of Nayuki's encoder,
// pure JS, no browser globals), turned into runs of dark modules per row that a View can paint.
import { encode } from 'uqr'

/** One row of a QR code: its dark modules as [first column, length] runs. */
export type QrRow = Array<[number, number]>

export interface QrMatrix {
  /** Modules per side (21 for version 1, +4 per version). */
  size: number
  rows: QrRow[]
}

/** Encodes `text` (byte mode, UTF-8, error correction M) into rows of dark runs; no quiet zone. */
export function qrMatrix(text: string): QrMatrix {
  const { size, data } = encode(text, { ecc: 'M', border: 0 })
  const rows = data.map((row) => {
    const runs: QrRow = []
    let start = -1
    row.forEach((dark, x) => {
      if (dark && start < 0) start = x
      if (!dark && start >= 0) {
        runs.push([start, x - start])
        start = -1
      }
    })
    if (start >= 0) runs.push([start, row.length - start])
    return runs
  })
  return { size, rows }
}

/**
 * A CSS background painting one row: hard colour stops at each run's edges, `modulePx` per module.
 * One View per row keeps a 41×41 code at 41 nodes instead of ~800.
 */
export function rowBackground(row: QrRow, modulePx: number): string {
  if (row.length === 0) return '#fff'
  const stops: string[] = []
  for (const [start, length] of row) {
    const a = start * modulePx
    const b = (start + length) * modulePx
    stops.push(`#fff ${a}px`, `#000 ${a}px`, `#000 ${b}px`, `#fff ${b}px`)
  }
  return `linear-gradient(to right, #fff 0px, ${stops.join(', ')}, #fff 100%)`
}

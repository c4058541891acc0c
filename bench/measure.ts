/**
 * Side-by-side measurement: candidates run in interleaved slices, round after round, so a
 * noisy neighbour slows all of them alike and the ratios stay meaningful.
 */
export interface Candidate {
  name: string
  /** One operation. Synchronous on purpose: these are CPU-bound primitives. */
  op: () => unknown
}

export interface Measured {
  name: string
  ops: number
  seconds: number
  opsPerSec: number
}

export function sideBySide(candidates: Candidate[], { rounds = 8, sliceMs = 150 } = {}): Measured[] {
  const totals = candidates.map((c) => ({ name: c.name, ops: 0, ns: 0n }))
  for (const c of candidates) for (let i = 0; i < 3; i++) c.op() // warm-up
  for (let r = 0; r < rounds; r++) {
    // Alternate the order each round so neither candidate always runs first.
    const order = r % 2 === 0 ? candidates.map((_, i) => i) : candidates.map((_, i) => candidates.length - 1 - i)
    for (const i of order) {
      const c = candidates[i]
      const start = process.hrtime.bigint()
      const deadline = start + BigInt(sliceMs) * 1_000_000n
      let n = 0
      let now = start
      do {
        c.op()
        n++
        now = process.hrtime.bigint()
      } while (now < deadline)
      totals[i].ops += n
      totals[i].ns += now - start
    }
  }
  return totals.map((t) => {
    const seconds = Number(t.ns) / 1e9
    return { name: t.name, ops: t.ops, seconds, opsPerSec: t.ops / seconds }
  })
}

export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits

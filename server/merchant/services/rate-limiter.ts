/** Above this many tracked keys, keys without a recent hit are dropped (memory stays bounded). */
const PRUNE_ABOVE_KEYS = 10_000

/** A per-key sliding-window limiter in memory (one backend process; see README). */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>()
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: () => number,
  ) {}

  /** Counts one hit for key; false when the key is over its limit (the hit is then not counted). */
  take(key: string): boolean {
    const now = this.clock()
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs)
    if (recent.length >= this.limit) {
      this.hits.set(key, recent)
      return false
    }
    recent.push(now)
    this.hits.set(key, recent)
    if (this.hits.size > PRUNE_ABOVE_KEYS) this.prune(now)
    return true
  }

  private prune(now: number) {
    for (const [key, times] of this.hits) if (!times.some((t) => now - t < this.windowMs)) this.hits.delete(key)
  }
}

// Generators of malformed HTTP requests for the property-based input suites (issue 11): wrong types,
// missing and extra fields, huge and deep bodies, bad encodings, bad tokens and signatures.
import fc from 'fast-check'
import { CONTRACT_ERROR_CODES } from '../../src/contract/constants'

/** One request as sent: method, path with query, headers, raw body. */
export interface RawRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Buffer
}

/** The seed every property suite runs with: a failure names it, and a rerun reproduces it. */
export const MALFORMED_SEED = 20261201

/** A JSON body built from a valid one by one mutation: a field dropped, retyped, added, or the whole replaced. */
export function mutatedJson(valid: Record<string, unknown>): fc.Arbitrary<string | Buffer> {
  const keys = Object.keys(valid)
  const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(null), fc.string({ unit: 'binary', maxLength: 40 }), fc.integer(), fc.double())
  const mutation = fc.oneof(
    fc.constantFrom(...keys).map((k) => JSON.stringify({ ...valid, [k]: undefined })),
    fc.tuple(fc.constantFrom(...keys), anyValue).map(([k, v]) => JSON.stringify({ ...valid, [k]: v })),
    fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), anyValue).map(([k, v]) => JSON.stringify({ ...valid, [k]: v, amount: typeof valid.amount === 'number' ? -1 : valid.amount })),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.integer({ min: 200, max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 17_000, max: 70_000 }).map((n) => JSON.stringify({ ...valid, description: 'x'.repeat(n) })),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.concat([Buffer.from('{"description":"'), Buffer.from([0xff, 0xfe, ...bytes]), Buffer.from('"}')])),
    fc.string({ maxLength: 30 }).map((s) => `{${s}`),
    fc.constant(''),
  )
  return mutation
}

/** A path segment that is not a well-formed id: empty-ish, over-long, percent garbage, traversal, unicode. */
export const badSegment: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.integer({ min: 101, max: 6000 }).map((n) => 'A'.repeat(n)),
  fc.constantFrom('%E0%A4%A', '%', '..%2F..%2Fetc%2Fpasswd', '%00', '%F0%9F%98%80', 'null', 'undefined', '0'),
)

/** An Authorization header for the backend: valid, missing, garbage, wrong scheme or tampered. */
export function bearerVariants(valid: string): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    fc.constant({ authorization: `Bearer ${valid}` }),
    fc.constant({}),
    fc.string({ maxLength: 60 }).filter((s) => /^[\x20-\x7e]*$/.test(s)).map((s) => ({ authorization: `Bearer ${s}` })),
    fc.constant({ authorization: `Basic ${valid}` }),
    fc.integer({ min: 0, max: valid.length - 1 }).map((i) => ({ authorization: `Bearer ${valid.slice(0, i)}${valid[i] === 'A' ? 'B' : 'A'}${valid.slice(i + 1)}` })),
  )
}

/** Sends one generated request to the backend and checks the answer: no 5xx; an error has the contract's body. */
export async function sendChecked(baseUrl: string, req: RawRequest): Promise<number> {
  const res = await fetch(`${baseUrl}${req.path}`, { method: req.method, headers: req.headers, body: req.body })
  const text = await res.text()
  expect(res.status).toBeLessThan(500)
  if (res.status >= 400) {
    const body = JSON.parse(text)
    if (req.path === '/api/wechatpay/notify') expect(body).toEqual({ code: 'FAIL', message: expect.any(String) })
    else {
      expect(body).toEqual({ error: { code: expect.any(String), message: expect.any(String), ...(body.error?.details ? { details: expect.any(Array) } : {}) } })
      expect(CONTRACT_ERROR_CODES).toContain(body.error.code)
    }
  }
  return res.status
}

/**
 * Sends `numRuns` seeded requests through sendChecked (stopping at the first failure); answers how
 * many of them created something: `POST createPath` answered 201.
 */
export async function fuzzBackend(baseUrl: string, requests: fc.Arbitrary<RawRequest>, numRuns: number, createPath: string): Promise<number> {
  let created = 0
  await fc.assert(
    fc.asyncProperty(requests, async (req) => {
      const status = await sendChecked(baseUrl, req)
      if (req.path === createPath && req.method === 'POST' && status === 201) created++
    }),
    { seed: MALFORMED_SEED, numRuns, endOnFailure: true },
  )
  return created
}

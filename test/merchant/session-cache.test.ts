import { createSessionService, VERIFIED_TOKEN_CACHE_MS } from '../../server/merchant/services/session'
import type { Storage, UserRecord } from '../../server/merchant/storage'

/** A session service over an in-memory user table; counts user reads (what the cache saves). */
function service(ttlSeconds: number) {
  let now = 1_700_000_000_000
  const users = new Map<string, UserRecord>()
  let reads = 0
  const storage = {
    users: {
      upsertByOpenid: async (openid: string, unionid: string | null, at: number, newId: () => string) => {
        const user = { id: newId(), openid, unionid, createdAt: at, lastLoginAt: at }
        users.set(user.id, user)
        return user
      },
      get: async (id: string) => {
        reads++
        return users.get(id)
      },
    },
  } as unknown as Storage
  const fetch = (async () => new Response(JSON.stringify({ openid: 'o-cache', session_key: 'k' }))) as typeof globalThis.fetch
  const s = createSessionService({ storage, appId: 'wx1', appSecret: 's', wechatApiBase: 'http://x', sessionSecret: 'secret', ttlSeconds, clock: () => now, fetch })
  return { s, reads: () => reads, advance: (ms: number) => (now += ms) }
}

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string; message?: string }) => `${e.code}: ${e.message}`)

describe('verified tokens are cached briefly', () => {
  test('a token read once answers from the cache; a tampered copy is still refused', async () => {
    const { s, reads } = service(7200)
    const { token } = await s.login('c')
    const user = await s.authenticate(token)
    expect(await s.authenticate(token)).toEqual(user)
    expect(reads()).toBe(1)
    const [payload, sig] = token.split('.')
    expect(await code(s.authenticate(`${payload}.${sig.slice(0, -2)}AA`))).toBe('UNAUTHENTICATED: invalid token')
    expect(await code(s.authenticate(`${payload}x.${sig}`))).toMatch(/^UNAUTHENTICATED/)
  })

  test('a cached token is refused the moment it expires, and verified again once the cache entry is old', async () => {
    const { s, advance } = service(30)
    const { token } = await s.login('c')
    await s.authenticate(token)
    advance(29_000)
    expect(await code(s.authenticate(token))).toBe('ok')
    advance(1_000)
    expect(await code(s.authenticate(token))).toBe('UNAUTHENTICATED: session expired, log in again')

    const long = service(7200)
    const t2 = (await long.s.login('c')).token
    await long.s.authenticate(t2)
    long.advance(VERIFIED_TOKEN_CACHE_MS)
    await long.s.authenticate(t2)
    expect(long.reads()).toBe(2)
  })
})

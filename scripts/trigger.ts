/**
 * `npm run trigger -- <event> <id> [...]`: makes something happen in a running emulator, like
 * `stripe trigger`. One line out, exit 0 when it happened, 1 when not. `--emulator URL` (default
 * http://127.0.0.1:3100, the stack's).
 */

export const DEFAULT_EMULATOR = 'http://127.0.0.1:3100'

export const USAGE =
  'usage: npm run trigger -- [--emulator URL] payment.success <outTradeNo> | notify.redeliver <notificationOrDeliveryId> | clock.advance <n>s|m|h|d | refund.success|abnormal|closed <outRefundNo> | applyment.finish|reject <applymentId> [reason] [--field param_name]'

export interface TriggerResult {
  ok: boolean
  line: string
}

export interface TriggerDeps {
  fetch?: typeof fetch
}

interface Call {
  method: 'POST'
  path: string
  body?: unknown
  /** The line for a 2xx answer. */
  done: (answer: Record<string, unknown>) => TriggerResult
}

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const REFUND_STATUS: Record<string, string> = { success: 'SUCCESS', abnormal: 'ABNORMAL', closed: 'CLOSED' }
const DEFAULT_REJECT_REASON = '资料不符合要求，请修改后重新提交'
const DEFAULT_REJECT_FIELD = 'id_card_copy'

const seg = encodeURIComponent
const ok = (line: string): TriggerResult => ({ ok: true, line })
const fail = (line: string): TriggerResult => ({ ok: false, line })

/** Splits options from positional arguments. */
function parseArgs(argv: string[]): { emulator: string; field?: string; positional: string[] } | string {
  let emulator = DEFAULT_EMULATOR
  let field: string | undefined
  const positional: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--emulator' || a === '--field') {
      const v = argv[++i]
      if (!v) return `${a} needs a value`
      if (a === '--emulator') emulator = v.replace(/\/+$/, '')
      else field = v
    } else if (a.startsWith('--emulator=')) emulator = a.slice('--emulator='.length).replace(/\/+$/, '')
    else if (a.startsWith('--field=')) field = a.slice('--field='.length)
    else if (a.startsWith('--')) return `unknown option ${a}`
    else positional.push(a)
  }
  if (!/^https?:\/\/[^/]+/.test(emulator)) return `--emulator: expected an http(s) URL, got "${emulator}"`
  return { emulator, field, positional }
}

/** The control call for one command, or the reason the command line is wrong. */
function plan(positional: string[], field: string | undefined): Call | string {
  const [event, id, ...rest] = positional
  if (!event) return 'no event given'
  const needId = (what: string) => (id ? undefined : `${event} needs ${what}`)
  const [family, action] = event.split('.')
  switch (event) {
    case 'payment.success':
      return needId('an out_trade_no') ?? {
        method: 'POST',
        path: `/__emulator/orders/${seg(id)}/pay`,
        done: (a) => ok(`paid ${id}: ${a.tradeState}, transaction ${a.transactionId}; TRANSACTION.SUCCESS is being notified`),
      }
    case 'notify.redeliver':
      return needId('a notification or delivery id') ?? {
        method: 'POST',
        path: `/__emulator/notifications/${seg(id)}/redeliver`,
        done: (a) => {
          const d = a.delivery as { notificationId: string; eventType: string; url: string; status: number; delivered: boolean; error?: string }
          const answer = d.status ? `HTTP ${d.status}` : `no answer (${d.error ?? 'connection failed'})`
          const line = `redelivered ${d.eventType} ${d.notificationId} to ${d.url}: ${answer}`
          return d.delivered ? ok(`${line}, delivered`) : fail(`${line}, not delivered`)
        },
      }
    case 'clock.advance': {
      const m = id ? /^(\d+)([smhd])$/.exec(id) : null
      if (!m) return `clock.advance needs a duration like 30s, 15m, 2h or 1d, got ${id ? `"${id}"` : 'nothing'}`
      return {
        method: 'POST',
        path: '/__emulator/clock',
        body: { advanceMs: Number(m[1]) * UNITS[m[2]] },
        done: (a) => ok(`clock advanced ${id}: emulated now ${a.now} (offset ${Math.round(Number(a.offsetMs) / 1000)} s)`),
      }
    }
  }
  if (family === 'refund' && REFUND_STATUS[action]) {
    return needId('an out_refund_no') ?? {
      method: 'POST',
      path: `/__emulator/refunds/${seg(id)}/settle`,
      body: { status: REFUND_STATUS[action] },
      done: () => ok(`refund ${id}: ${REFUND_STATUS[action]}; REFUND.${REFUND_STATUS[action]} is being notified`),
    }
  }
  if (event === 'applyment.finish' || event === 'applyment.reject') {
    const reject = action === 'reject'
    const body = reject ? { to: 'REJECTED', auditDetail: [{ param_name: field ?? DEFAULT_REJECT_FIELD, reject_reason: rest.join(' ') || DEFAULT_REJECT_REASON }] } : { to: 'FINISH' }
    return needId('an applyment id') ?? {
      method: 'POST',
      path: `/__emulator/applyments/${seg(id)}/advance`,
      body,
      done: (a) => {
        const ap = (a.applyment ?? {}) as Record<string, unknown>
        const state = ap.state ?? ap.applyment_state ?? body.to
        const sub = ap.subMchid ?? ap.sub_mchid
        return ok(`applyment ${id}: ${state}${sub ? `, sub_mchid ${sub}` : ''}`)
      },
    }
  }
  return `unknown event "${event}"`
}

/** Runs one trigger command line against the emulator; never throws; the line has no line breaks. */
export async function runTrigger(argv: string[], deps: TriggerDeps = {}): Promise<TriggerResult> {
  const r = await trigger(argv, deps)
  return { ok: r.ok, line: r.line.replace(/\s*\n\s*/g, ' ') }
}

async function trigger(argv: string[], deps: TriggerDeps): Promise<TriggerResult> {
  const doFetch = deps.fetch ?? fetch
  const args = parseArgs(argv)
  if (typeof args === 'string') return fail(`trigger: ${args}. ${USAGE}`)
  const call = plan(args.positional, args.field)
  if (typeof call === 'string') return fail(`trigger: ${call}. ${USAGE}`)
  const url = `${args.emulator}${call.path}`
  let res: Response
  try {
    res = await doFetch(url, {
      method: call.method,
      ...(call.body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(30_000),
    })
  } catch {
    return fail(`trigger: cannot reach the emulator at ${args.emulator} (start it with npm run emulator or npm run stack, or pass --emulator URL)`)
  }
  const text = await res.text().catch(() => '')
  let answer: Record<string, unknown> = {}
  try {
    answer = text ? (JSON.parse(text) as Record<string, unknown>) : {}
  } catch {
    return fail(`trigger: ${args.emulator} answered ${res.status} with something that is not JSON: is it the emulator?`)
  }
  if (!res.ok) {
    const err = (answer.error ?? {}) as { code?: string; message?: string }
    const why = err.code ? `${err.code}: ${err.message ?? ''}` : text.slice(0, 200)
    return fail(`trigger: ${args.positional[0]} failed: ${call.method} ${call.path} → ${res.status} ${why}`.trim())
  }
  return call.done(answer)
}

if (/scripts[\\/]trigger\.[jt]s$/.test(process.argv[1] ?? '')) {
  void runTrigger(process.argv.slice(2)).then((r) => {
    (r.ok ? process.stdout : process.stderr).write(`${r.line}\n`)
    process.exitCode = r.ok ? 0 : 1
  })
}

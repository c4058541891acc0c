/**
 * The application service against a scripted WeChat Pay (answers the emulator does not give):
 * a query without a state, FROZEN with reasons, failing queries, 401 vs 400 on submit.
 */
import { WechatPayError } from '../../server/wechatpay'
import type { ApplymentStatus } from '../../server/wechatpay/applyments'
import type { OnboardingGateway } from '../../server/merchant/services/applications/gateway'
import { createSealer } from '../../server/merchant/services/applications/sealed'
import { createApplicationService } from '../../server/merchant/services/applications/service'
import { openSqliteStorage } from '../../server/merchant/storage/sqlite'
import type { UserRecord } from '../../server/merchant/storage'
import { idNumber } from './onboarding-helpers'

const body = (requestId: string) => ({
  requestId,
  organizationType: '2401',
  merchantShortname: '脚本小店',
  idCard: { portraitMediaId: 'M1', nationalMediaId: 'M2', name: '王五', number: idNumber('11010519800101001'), validFrom: '2015-01-01', validUntil: '长期' },
  bankAccount: { type: 'personal', bank: '工商银行', bankAddressCode: '110000', accountName: '王五', accountNumber: '6222000011112222' },
  contact: { type: 'legal', name: '王五', mobile: '13900001111' },
  store: { name: '脚本小店', url: 'https://shop.example.com/s' },
})

async function setup() {
  const storage = await openSqliteStorage('sqlite::memory:')
  const user: UserRecord = await storage.users.upsertByOpenid('o-script', null, Date.now(), () => 'U1')
  const script: { submit: Array<() => Promise<{ applymentId: string }>>; query: Array<() => Promise<ApplymentStatus>>; submitted: number } = { submit: [], query: [], submitted: 0 }
  const gateway: OnboardingGateway = {
    uploadMedia: async () => 'M',
    submit: async () => {
      script.submitted++
      return (script.submit.shift() ?? (async () => ({ applymentId: '1' })))()
    },
    query: async () => (script.query.shift() ?? (async () => ({ applyment_state: 'CHECKING' })))(),
  }
  const warnings: string[] = []
  const logger = { info: () => undefined, warn: (_o: object, m: string) => void warnings.push(m), error: (_o: object, m: string) => void warnings.push(m) }
  let now = Date.now()
  const service = createApplicationService({ storage, gateway, sealer: createSealer(Buffer.alloc(32, 7)), clock: () => now, logger })
  return { storage, user, script, service, warnings, later: () => void (now += 10_001) }
}
const refused = (status: number, code: string, message: string, field?: string) =>
  new WechatPayError({ status, code, message, ...(field ? { detail: { field, location: 'body' } } : {}) })

test('an answer without applyment_state keeps the known state; a failing query changes nothing', async () => {
  const { service, user, script, later, warnings } = await setup()
  const { application } = await service.create(user, body('req-script-01'))
  expect(application.state).toBe('checking')
  script.query.push(async () => ({ applyment_state_desc: '?' }), async () => Promise.reject(refused(500, 'SYSTEM_ERROR', '系统错误')))
  later()
  expect((await service.get(user, application.applicationNo)).state).toBe('checking')
  later()
  expect((await service.get(user, application.applicationNo)).state).toBe('checking')
  expect(warnings).toContain('application query failed')
})

test('FROZEN carries its reasons on the fields; CANCELED after it is final', async () => {
  const { service, user, script, later } = await setup()
  const { application } = await service.create(user, body('req-script-02'))
  script.query.push(async () => ({ applyment_state: 'FROZEN', audit_detail: [{ param_name: 'store_url', reject_reason: '店铺链接无法访问' }] }))
  later()
  expect(await service.get(user, application.applicationNo)).toMatchObject({ state: 'frozen', rejections: [{ field: 'store.url', reason: '店铺链接无法访问' }] })
  script.query.push(async () => ({ applyment_state: 'CANCELED' }))
  later()
  expect((await service.get(user, application.applicationNo)).state).toBe('canceled')
  expect((await service.reconcile()).checked).toBe(0)
})

test('a 401 on submit is an unknown outcome (submitting); a 400 is failed; a refused resubmission goes back to rejected', async () => {
  const { service, user, script, later } = await setup()
  script.submit.push(async () => Promise.reject(refused(401, 'SIGN_ERROR', '签名错误')))
  const first = await service.create(user, body('req-script-03'))
  expect(first.application.state).toBe('submitting')
  expect((await service.reconcile()).checked).toBe(1)
  expect((await service.get(user, first.application.applicationNo)).state).toBe('checking')

  script.submit.push(async () => Promise.reject(refused(400, 'PARAM_ERROR', '开户银行取值有误', '/account_info/account_bank')))
  const second = await service.create(user, body('req-script-04'))
  expect(second.application).toMatchObject({ state: 'failed', rejections: [{ field: 'bankAccount.bank', reason: '开户银行取值有误' }] })

  const third = await service.create(user, body('req-script-05'))
  script.query.push(async () => ({ applyment_state: 'REJECTED', audit_detail: [{ param_name: 'id_card_national', reject_reason: '国徽面不清晰' }] }))
  later()
  expect((await service.get(user, third.application.applicationNo)).state).toBe('rejected')
  script.submit.push(async () => Promise.reject(refused(400, 'PARAM_ERROR', '请确认待处理的消息是否为加密后的密文', '/contact_info/mobile_phone')))
  const again = await service.resubmit(user, third.application.applicationNo, body('req-script-05'))
  expect(again).toMatchObject({ state: 'rejected', rejections: [{ field: 'contact.mobile', reason: expect.stringContaining('密文') }] })
})

test('the same requestId created twice in one tick: the insert that loses the race answers the winner, sent once', async () => {
  const { service, user, script, storage } = await setup()
  let answer: () => void = () => undefined
  script.submit.push(() => new Promise((resolve) => (answer = () => resolve({ applymentId: '42' }))))
  const both = Promise.all([service.create(user, body('req-script-06')), service.create(user, body('req-script-06'))])
  await new Promise((r) => setTimeout(r, 20)) // both have looked for the requestId and inserted by now
  answer()
  const [a, b] = await both
  expect([a.replayed, b.replayed]).toEqual([false, true])
  expect(b.application.applicationNo).toBe(a.application.applicationNo)
  expect([a.application.state, b.application.state]).toEqual(['checking', 'checking'])
  expect(script.submitted).toBe(1)
  expect(await storage.applications.listByUser(user.id, 10)).toHaveLength(1)
})

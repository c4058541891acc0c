import { timeline } from '@/pages/applications/timeline'

const view = (state: Parameters<typeof timeline>[0]) => timeline(state).map((e) => `${e.text}:${e.status}`)

test.each([
  ['submitting', ['提交中:current', '资料校验中:todo', '审核中:todo', '待签约:todo', '已完成:todo']],
  ['auditing', ['已提交:done', '资料校验中:done', '审核中:current', '待签约:todo', '已完成:todo']],
  ['finished', ['已提交:done', '资料校验中:done', '审核中:done', '待签约:done', '已完成:done']],
  ['account_need_verify', ['已提交:done', '资料校验中:done', '待账户验证:current', '审核中:todo', '待签约:todo', '已完成:todo']],
  ['rejected', ['已提交:done', '资料校验中:done', '审核中:done', '已驳回:stopped']],
  ['failed', ['已提交:done', '提交失败:stopped']],
] as const)('%s', (state, expected) => {
  expect(view(state)).toEqual(expected)
})

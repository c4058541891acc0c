export default definePageConfig({ navigationBarTitleText: '商户入驻申请' })

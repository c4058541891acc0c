export default definePageConfig({ navigationBarTitleText: '我的入驻申请', enablePullDownRefresh: true })

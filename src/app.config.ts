export default defineAppConfig({
  pages: ['pages/checkout/index'],
  window: { navigationBarTitleText: '收银台' },
})

export default defineAppConfig({
  pages: ['pages/checkout/index', 'pages/result/index', 'pages/orders/index', 'pages/onboarding/index', 'pages/applications/index'],
  window: { navigationBarTitleText: '收银台', backgroundColor: '#f6f7f9', backgroundTextStyle: 'dark' },
})

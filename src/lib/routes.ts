// Page paths (app.config.ts lists the same pages).
export const CHECKOUT_PAGE = '/pages/checkout/index'
export const RESULT_PAGE = '/pages/result/index'
export const ORDERS_PAGE = '/pages/orders/index'
export const ONBOARDING_PAGE = '/pages/onboarding/index'
export const APPLICATIONS_PAGE = '/pages/applications/index'

/** The status page of one application. */
export const applicationPage = (applicationNo: string): string => `${APPLICATIONS_PAGE}?applicationNo=${encodeURIComponent(applicationNo)}`

/** The mini-program path a shop's QR code opens (platform.md §Shops): the checkout paying that shop. */
export const shopCheckoutPath = (shopId: string): string => `pages/checkout/index?shopId=${encodeURIComponent(shopId)}`

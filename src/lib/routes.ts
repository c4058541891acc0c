// Page paths (app.config.ts lists the same pages).
export const CHECKOUT_PAGE = '/pages/checkout/index'
export const RESULT_PAGE = '/pages/result/index'
export const ORDERS_PAGE = '/pages/orders/index'

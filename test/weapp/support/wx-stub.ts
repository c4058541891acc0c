// A recording stand-in for the `wx` object of the WeChat client, for compiled weapp code run in
// miniprogram-simulate. Only what the checkout uses answers for real; every call is recorded.

/** One recorded call: the API name and the options object the compiled code passed. */
export interface WxCall {
  api: string
  options: Record<string, unknown>
}

/** How the stubbed WeChat client answers. */
export interface WxBehaviour {
  /** errMsg for wx.requestPayment; the WeChat client answers `requestPayment:fail cancel` when the user closes the sheet. */
  paymentErrMsg: string
  /** code handed out by wx.login */
  loginCode: string
  /** What wx.chooseMedia hands out, one file per call; an empty list answers like a user who cancelled. */
  mediaFiles: Array<{ tempFilePath: string; size: number }>
}

export type NavigationApi = 'navigateTo' | 'redirectTo' | 'navigateBack' | 'switchTab' | 'reLaunch'

type Callbacks = {
  success?: (res: unknown) => void
  fail?: (err: unknown) => void
  complete?: (res: unknown) => void
}

/** Builds a wx stub; `calls` records every call in order, `storage` is the app's local storage. */
export function createWxStub(behaviour: Partial<WxBehaviour> = {}) {
  const settings: WxBehaviour = { paymentErrMsg: 'requestPayment:fail cancel', loginCode: 'weapp-sim-code', mediaFiles: [], ...behaviour }
  let clipboard = ''
  const calls: WxCall[] = []
  const storage = new Map<string, unknown>()
  /** Set by the simulator: performs a page navigation (throws when the target is no page). */
  const hooks: { navigate?: (api: NavigationApi, url: string | undefined, delta: number) => void } = {}

  /**
   * Answers an async wx API the way the client does: later, through success/fail then complete;
   * called without any callback it returns a Promise instead (base library >= 2.10.2). This
   * matters: Taro 4 does not promisify every API (requestPayment goes to wx as it is).
   */
  const answer = (options: Callbacks, ok: boolean, res: Record<string, unknown>): Promise<unknown> | undefined => {
    if (!options.success && !options.fail && !options.complete) {
      return new Promise((resolve, reject) => setTimeout(() => (ok ? resolve(res) : reject(res)), 0))
    }
    setTimeout(() => {
      if (ok) options.success?.(res)
      else options.fail?.(res)
      options.complete?.(res)
    }, 0)
    return undefined
  }
  const record = (api: string, options: unknown) => {
    calls.push({ api, options: { ...(options as Record<string, unknown>) } })
    return (options ?? {}) as Callbacks
  }
  /** An async API that always succeeds with `res`. */
  const okApi = (api: string, res: Record<string, unknown> = {}) => (options: unknown) =>
    answer(record(api, options), true, { errMsg: `${api}:ok`, ...res })

  /** A page navigation: the simulator switches pages, then the call succeeds (or fails like the client's "page not found"). */
  const navigation = (api: NavigationApi) => (options: { url?: string; delta?: number } & Callbacks) => {
    const cb = record(api, options)
    return new Promise<void>((resolve) => setTimeout(resolve, 0)).then(() => {
      let ok = true
      let errMsg = `${api}:ok`
      try {
        hooks.navigate?.(api, options.url, options.delta ?? 1)
      } catch (error) {
        ok = false
        errMsg = `${api}:fail ${(error as Error).message}`
      }
      return answer(cb, ok, { errMsg })
    })
  }

  const wx = {
    login: okApi('login', { code: settings.loginCode }),
    checkSession: okApi('checkSession'),
    requestPayment(options: unknown) {
      return answer(record('requestPayment', options), settings.paymentErrMsg === 'requestPayment:ok', { errMsg: settings.paymentErrMsg })
    },
    request(options: unknown) {
      // The mock-backend build must never reach the network; answer like an unreachable host.
      const cb = record('request', options)
      void answer(cb, false, { errMsg: 'request:fail weapp-sim has no network' })
      return { abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
    },
    chooseMedia(options: unknown) {
      const file = settings.mediaFiles.shift()
      const res = file
        ? { errMsg: 'chooseMedia:ok', type: 'image', tempFiles: [{ ...file, fileType: 'image', width: 800, height: 500 }] }
        : { errMsg: 'chooseMedia:fail cancel' }
      return answer(record('chooseMedia', options), Boolean(file), res)
    },
    setClipboardData(options: { data: string } & Callbacks) {
      clipboard = options.data
      return answer(record('setClipboardData', options), true, { errMsg: 'setClipboardData:ok' })
    },
    getClipboardData: (options: unknown) => answer(record('getClipboardData', options), true, { errMsg: 'getClipboardData:ok', data: clipboard }),
    pageScrollTo: okApi('pageScrollTo'),
    stopPullDownRefresh: okApi('stopPullDownRefresh'),
    showToast: okApi('showToast'),
    hideToast: okApi('hideToast'),
    showLoading: okApi('showLoading'),
    hideLoading: okApi('hideLoading'),
    showModal: okApi('showModal', { confirm: false, cancel: true }),
    navigateTo: navigation('navigateTo'),
    redirectTo: navigation('redirectTo'),
    navigateBack: navigation('navigateBack'),
    switchTab: navigation('switchTab'),
    reLaunch: navigation('reLaunch'),
    setNavigationBarTitle: okApi('setNavigationBarTitle'),
    setStorage(options: { key: string; data: unknown } & Callbacks) {
      storage.set(options.key, options.data)
      return answer(record('setStorage', options), true, { errMsg: 'setStorage:ok' })
    },
    getStorage(options: { key: string } & Callbacks) {
      const found = storage.has(options.key)
      return answer(record('getStorage', options), found, found ? { errMsg: 'getStorage:ok', data: storage.get(options.key) } : { errMsg: 'getStorage:fail data not found' })
    },
    removeStorage(options: { key: string } & Callbacks) {
      storage.delete(options.key)
      return answer(record('removeStorage', options), true, { errMsg: 'removeStorage:ok' })
    },
    setStorageSync(key: string, data: unknown) {
      record('setStorageSync', { key, data })
      storage.set(key, data)
    },
    getStorageSync(key: string) {
      record('getStorageSync', { key })
      return storage.has(key) ? storage.get(key) : ''
    },
    removeStorageSync(key: string) {
      record('removeStorageSync', { key })
      storage.delete(key)
    },
    getAccountInfoSync: () => ({ miniProgram: { appId: 'wx0000000000000000', envVersion: 'develop', version: '' } }),
  }
  return { wx, calls, storage, settings, hooks }
}

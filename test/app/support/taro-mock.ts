// A jest.mock factory for @tarojs/taro: navigation spies, page lifecycle hooks the test can fire,
// and in-memory storage. Use: jest.mock('@tarojs/taro', () => require('./support/taro-mock').taroMock())
import { useEffect, useRef } from 'react'

type Handler = () => void

/** Lifecycle handlers registered by the mounted pages, fired by the test. */
export const lifecycle = {
  didShow: new Set<Handler>(),
  didHide: new Set<Handler>(),
  pullDownRefresh: new Set<Handler>(),
  fire(kind: 'didShow' | 'didHide' | 'pullDownRefresh') {
    for (const handler of [...this[kind]]) handler()
  },
}

function lifecycleHook(kind: 'didShow' | 'didHide' | 'pullDownRefresh', fireOnMount: boolean) {
  return (callback: Handler) => {
    const latest = useRef(callback)
    latest.current = callback
    useEffect(() => {
      const handler = () => latest.current()
      lifecycle[kind].add(handler)
      if (fireOnMount) handler()
      return () => void lifecycle[kind].delete(handler)
    }, [])
  }
}

/** The page query useRouter() answers; tests set it before rendering. */
export const router = { params: {} as Record<string, string> }

/** Builds the mocked module. */
export function taroMock() {
  const storage = new Map<string, unknown>()
  const api = {
    navigateTo: jest.fn(async () => ({ errMsg: 'navigateTo:ok' })),
    reLaunch: jest.fn(async () => ({ errMsg: 'reLaunch:ok' })),
    redirectTo: jest.fn(async () => ({ errMsg: 'redirectTo:ok' })),
    navigateBack: jest.fn(async () => ({ errMsg: 'navigateBack:ok' })),
    stopPullDownRefresh: jest.fn(),
    pageScrollTo: jest.fn(async () => ({ errMsg: 'pageScrollTo:ok' })),
    setClipboardData: jest.fn(async () => ({ errMsg: 'setClipboardData:ok' })),
    getStorageSync: jest.fn((key: string) => storage.get(key) ?? ''),
    setStorageSync: jest.fn((key: string, value: unknown) => void storage.set(key, value)),
    removeStorageSync: jest.fn((key: string) => void storage.delete(key)),
    request: jest.fn(async () => { throw new Error('no network in component tests') }),
    login: jest.fn(async () => { throw new Error('no wx.login in component tests') }),
    requestPayment: jest.fn(async () => { throw new Error('no requestPayment in component tests') }),
    uploadFile: jest.fn(() => { throw new Error('no uploadFile in component tests') }),
    chooseMedia: jest.fn(async () => { throw new Error('no chooseMedia in component tests') }),
  }
  return {
    __esModule: true,
    default: api,
    ...api,
    useDidShow: lifecycleHook('didShow', true),
    useDidHide: lifecycleHook('didHide', false),
    usePullDownRefresh: lifecycleHook('pullDownRefresh', false),
    useRouter: () => ({ params: router.params, path: '' }),
  }
}

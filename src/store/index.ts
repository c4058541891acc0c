// The app's store instances and the thin React bindings pages use. Tests (and previews) hand pages
// their own stores through StoresProvider, so nothing global has to be mocked.
import { createContext, createElement, useContext, type ReactNode } from 'react'
import { useStore } from 'zustand'
import { getServices } from '@/services'
import type { PaySheetUi } from '@/services/pay-sheet-store'
import { createOnboardingStore, type OnboardingState, type OnboardingStore } from './onboarding'
import { createOrdersStore, type OrdersState, type OrdersStore } from './orders'
import { createPaymentStore, type PaymentState, type PaymentStore } from './payment'
import { createShopStore, type ShopState, type ShopStore } from './shop'

export interface AppStores {
  payment: PaymentStore
  orders: OrdersStore
  onboarding: OnboardingStore
  shop: ShopStore
  /** The simulated pay sheet to render, or null (wechat mode). */
  paySheet: PaySheetUi | null
}

let appStores: AppStores | null = null

/** The app's stores, built from the composition root on first use. */
export function getAppStores(): AppStores {
  if (!appStores) {
    const { backend, pay, paySheet, chooseImage, reviewSimulator, storage } = getServices()
    appStores = {
      payment: createPaymentStore({ backend, pay }),
      orders: createOrdersStore({ backend }),
      onboarding: createOnboardingStore({ backend, storage, chooseImage, simulateReview: reviewSimulator }),
      shop: createShopStore({ backend }),
      paySheet,
    }
  }
  return appStores
}

const StoresContext = createContext<AppStores | null>(null)

/** Provides `stores` to the pages below instead of the app's instances. */
export const StoresProvider = ({ stores, children }: { stores: AppStores; children?: ReactNode }) =>
  createElement(StoresContext.Provider, { value: stores }, children)

/** The stores in effect: the provided ones, else the app's. */
export const useAppStores = (): AppStores => useContext(StoresContext) ?? getAppStores()

/** Selects from the payment store; select narrowly (one field, or a primitive). */
export function usePaymentStore<T>(pick: (state: PaymentState) => T): T {
  return useStore(useAppStores().payment, pick)
}

/** Selects from the orders store. */
export function useOrdersStore<T>(pick: (state: OrdersState) => T): T {
  return useStore(useAppStores().orders, pick)
}

/** Selects from the onboarding store. */
export function useOnboardingStore<T>(pick: (state: OnboardingState) => T): T {
  return useStore(useAppStores().onboarding, pick)
}

/** Selects from the shop store. */
export function useShopStore<T>(pick: (state: ShopState) => T): T {
  return useStore(useAppStores().shop, pick)
}

interface StoreStates { payment: PaymentState; orders: OrdersState; onboarding: OnboardingState; shop: ShopState }

/** A store's actions, read without subscribing: they are fixed functions, so they never need a re-render. */
export function useActions<K extends keyof StoreStates>(store: K): StoreStates[K] {
  return useAppStores()[store].getState() as StoreStates[K]
}

export type { PaymentState, PaymentStore, OrdersState, OrdersStore, OnboardingState, OnboardingStore, ShopState, ShopStore }

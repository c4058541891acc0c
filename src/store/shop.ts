// The shop a checkout pays (platform.md §Shops): its name, read once per shopId from the backend.
import { createStore } from 'zustand/vanilla'
import { toAppError, type AppError } from '@/lib/errors'
import type { Backend, Shop } from '@/services/types'

export interface ShopState {
  shopId: string | null
  status: 'idle' | 'loading' | 'ready' | 'error'
  shop: Shop | null
  error: AppError | null
  /** Loads the shop (null: no shop named, the backend's default one is paid). */
  load(shopId: string | null): Promise<void>
}

export type ShopStore = ReturnType<typeof createShopStore>

/** Creates the shop store with its backend injected. */
export const createShopStore = ({ backend }: { backend: Backend }) =>
  createStore<ShopState>()((set, get) => ({
    shopId: null,
    status: 'idle',
    shop: null,
    error: null,
    async load(shopId) {
      if (shopId === get().shopId && get().status !== 'error') return
      set({ shopId, status: shopId ? 'loading' : 'idle', shop: null, error: null })
      if (!shopId) return
      try {
        const shop = await backend.getShop(shopId)
        if (get().shopId === shopId) set({ status: 'ready', shop })
      } catch (e) {
        if (get().shopId === shopId) set({ status: 'error', error: toAppError(e) })
      }
    },
  }))

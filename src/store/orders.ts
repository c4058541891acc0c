// The orders list: a small vanilla store over Backend.listOrders.
import { createStore } from 'zustand/vanilla'
import { toAppError, type AppError } from '@/lib/errors'
import type { Backend, Order } from '@/services/types'

export interface OrdersState {
  status: 'idle' | 'loading' | 'ready' | 'error'
  orders: Order[]
  error: AppError | null
  /** Loads the list (keeps the old list on screen while loading, and after an error). */
  load(): Promise<void>
}

export type OrdersStore = ReturnType<typeof createOrdersStore>

/** Newest first by createdAt, whatever order the backend used. */
const newestFirst = (orders: Order[]): Order[] =>
  [...orders].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))

/** Creates the orders store with its backend injected. */
export const createOrdersStore = ({ backend }: { backend: Backend }) =>
  createStore<OrdersState>()((set) => {
    let loadId = 0
    return {
      status: 'idle',
      orders: [],
      error: null,
      async load() {
        const id = ++loadId
        set({ status: 'loading', error: null })
        try {
          const orders = await backend.listOrders()
          if (id === loadId) set({ status: 'ready', orders: newestFirst(orders) })
        } catch (e) {
          if (id === loadId) set({ status: 'error', error: toAppError(e) })
        }
      },
    }
  })

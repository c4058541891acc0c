// The tiny store behind the simulated pay sheet: a driver opens it and awaits the user's answer,
// src/components/pay-sheet.tsx renders it. Development and emulator builds only.
import { createStore } from 'zustand/vanilla'
import type { Payment } from './types'

export type SheetAnswer = 'success' | 'cancel' | 'fail'

export interface PaySheetState {
  /** The payment shown, or null when the sheet is closed. */
  payment: Payment | null
  /** Opens the sheet for `payment`; resolves with the button the user pressed. */
  open(payment: Payment): Promise<SheetAnswer>
  /** Closes the sheet with the user's answer. */
  answer(answer: SheetAnswer): void
}

export type PaySheetStore = ReturnType<typeof createPaySheetStore>

/** Creates the pay sheet store. Opening it while open answers the older request with `cancel`. */
export const createPaySheetStore = () =>
  createStore<PaySheetState>()((set) => {
    let resolveOpen: ((answer: SheetAnswer) => void) | null = null
    return {
      payment: null,
      open(payment) {
        resolveOpen?.('cancel')
        return new Promise<SheetAnswer>((resolve) => {
          resolveOpen = resolve
          set({ payment })
        })
      },
      answer(answer) {
        const resolve = resolveOpen
        resolveOpen = null
        set({ payment: null })
        resolve?.(answer)
      },
    }
  })

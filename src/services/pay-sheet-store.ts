// The tiny store behind the simulated pay sheet: a driver opens it and awaits the user's answer,
// src/components/pay-sheet.tsx renders it. Development and emulator builds only.
import { createStore } from 'zustand/vanilla'
import type { ComponentType } from 'react'
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

/** Props of the pay sheet component (src/components/pay-sheet.tsx). */
export interface PaySheetProps {
  sheet: PaySheetStore
  /** Order amount in fen and description, shown like the real sheet shows them. */
  amountFen?: number
  description?: string
  /** One line saying what this sheet really does (simulated money, or the local emulator). */
  note: string
}

/** The sheet as the composition root hands it to pages: its store, its component and its note. */
export interface PaySheetUi {
  store: PaySheetStore
  Component: ComponentType<PaySheetProps>
  note: string
}

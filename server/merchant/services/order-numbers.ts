import { randomInt } from 'node:crypto'
import { formatOrderNo } from '../../../src/contract/rules'

/** A business order number: Beijing time + 8 random characters, 22 characters in all (src/contract/rules.ts). */
export const newOrderNo = (now: number, random: (max: number) => number = randomInt): string => formatOrderNo(now, random)

/** The out_trade_no of attempt `seq` of an order (≤ 32 characters, within the rules). */
export const outTradeNoFor = (orderNo: string, seq: number): string => `${orderNo}_${seq}`


/**
 * The transaction key of the order an out_trade_no belongs to (its order number, the part before the
 * attempt's `_seq`): transitions of one order from notifications and queries run one after another.
 */
export const orderKeyOf = (outTradeNo: string): string => `order:${orderNoOf(outTradeNo)}`

/** The order number an out_trade_no of ours names (the part before `_seq`); anything else as given. */
export const orderNoOf = (outTradeNo: string): string => outTradeNo.replace(/_\d+$/, '')

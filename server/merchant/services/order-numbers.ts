import { randomInt } from 'node:crypto'
import { formatOrderNo } from '../../../src/contract/rules'

/** out_trade_no rules: 6–32 characters of [0-9A-Za-z_-|*] (wechatpay-v3.md §4). */
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_\-|*]{6,32}$/

/** A business order number: Beijing time + 8 random characters, 22 characters in all (src/contract/rules.ts). */
export const newOrderNo = (now: number, random: (max: number) => number = randomInt): string => formatOrderNo(now, random)

/** The out_trade_no of attempt `seq` of an order (≤ 32 characters, within the rules). */
export const outTradeNoFor = (orderNo: string, seq: number): string => `${orderNo}_${seq}`

/** RFC 3339 in +08:00, as WeChat Pay writes and expects time_expire. */
export const rfc3339Beijing = (ms: number): string => `${new Date(Math.floor(ms / 1000) * 1000 + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`

/** Shops (platform.md): sub-merchants the platform takes payments for, and which one an order goes to. */
import type { Config } from '../config'
import { AppError } from '../errors'
import type { Storage } from '../storage'
import type { OrderShop } from './orders'

export interface ShopView {
  shopId: string
  name: string
  subAppId?: string
}

/** Reads shops and resolves the `shopId` of a new order to its sub-merchant. */
export function createShopService(o: { storage: Storage; config: Pick<Config, 'mode' | 'subMchid' | 'subAppId'> }) {
  const { storage, config } = o
  const notFound = () => new AppError('SHOP_NOT_FOUND', 'no such shop')
  return {
    /** One shop by id; SHOP_NOT_FOUND when it does not exist (yet). */
    async get(shopId: string): Promise<ShopView> {
      const s = await storage.shops.get(shopId)
      if (!s) throw notFound()
      return { shopId: s.shopId, name: s.name, ...(s.subAppId ? { subAppId: s.subAppId } : {}) }
    },

    /**
     * The sub-merchant a new order is paid to: the named shop, else WECHATPAY_SUB_MCHID; undefined
     * in direct mode. An unknown shop, or no shop and no default, is SHOP_NOT_FOUND.
     */
    async forOrder(shopId: string | undefined): Promise<OrderShop | undefined> {
      if (config.mode === 'direct') {
        if (shopId !== undefined) throw notFound()
        return undefined
      }
      if (shopId === undefined) {
        if (!config.subMchid) throw new AppError('SHOP_NOT_FOUND', 'no shop named and no default shop (WECHATPAY_SUB_MCHID) configured')
        return { shopId: null, subMchid: config.subMchid, subAppId: config.subAppId ?? null }
      }
      const s = await storage.shops.get(shopId)
      if (!s) throw notFound()
      return { shopId: s.shopId, subMchid: s.subMchid, subAppId: s.subAppId }
    },
  }
}

export type ShopService = ReturnType<typeof createShopService>

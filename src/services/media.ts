// The mini-program's file I/O for onboarding: picking a photo (Taro.chooseMedia) and the multipart
// upload (Taro.uploadFile) the HTTP backend sends it with. Only src/services calls these APIs.
import Taro from '@tarojs/taro'
import { AppError } from '@/lib/errors'
import type { ChooseImage, HttpUpload } from './types'

const errMsgOf = (e: unknown): string => String((e as { errMsg?: unknown; message?: unknown })?.errMsg ?? (e as Error)?.message ?? e)

/** One photo from the album or the camera, compressed; null when the user cancelled. */
export const chooseImage: ChooseImage = async () => {
  let res: Taro.chooseMedia.SuccessCallbackResult
  try {
    res = await Taro.chooseMedia({ count: 1, mediaType: ['image'], sourceType: ['album', 'camera'], sizeType: ['compressed'] })
  } catch (e) {
    const errMsg = errMsgOf(e)
    if (/cancel/i.test(errMsg)) return null
    throw new AppError('UNKNOWN', '无法选择照片，请检查相册和相机权限', errMsg)
  }
  const file = res.tempFiles?.[0]
  return file ? { path: file.tempFilePath, sizeBytes: file.size } : null
}

/** Taro.uploadFile as HttpUpload: resolves for every HTTP status, reports progress, rejects on transport errors. */
export const taroUpload: HttpUpload = ({ url, filePath, name, header, timeout, onProgress }) =>
  new Promise((resolve, reject) => {
    const task = Taro.uploadFile({
      url,
      filePath,
      name,
      header,
      timeout,
      // H5 only: Taro sends cookies by default, which a CORS answer without credentials refuses; the session is the Bearer header.
      withCredentials: false,
      success: (res) => resolve({ statusCode: res.statusCode, data: typeof res.data === 'string' ? res.data : JSON.stringify(res.data) }),
      fail: reject,
    })
    if (onProgress) task?.onProgressUpdate?.((p) => onProgress(p.progress))
  })

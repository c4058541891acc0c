import { createHash } from 'node:crypto'

/** A media upload body: what is sent, its Content-Type, and the meta JSON that is signed instead (wechatpay-v3.md §11.1). */
export interface MediaUploadBody {
  bytes: Buffer
  contentType: string
  /** The meta JSON, byte-identical to the part sent: the Authorization signs this, not the multipart bytes. */
  signedBody: string
}

/** The Content-Type of an image by its file name (WeChat Pay takes JPG, PNG and BMP). */
export const guessImageType = (filename: string): string =>
  /\.png$/i.test(filename) ? 'image/png' : /\.bmp$/i.test(filename) ? 'image/bmp' : 'image/jpeg'

/** Builds the multipart/form-data body of POST /v3/merchant/media/upload: a `meta` JSON part, then the `file` part. */
export function buildMediaUpload(filename: string, content: Buffer, contentType: string, boundaryToken: string): MediaUploadBody {
  const meta = JSON.stringify({ filename, sha256: createHash('sha256').update(content).digest('hex') })
  const boundary = `----wechatpay${boundaryToken}`
  const bytes = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/json\r\n\r\n${meta}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename.replace(/"/g, '')}"\r\nContent-Type: ${contentType}\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { bytes, contentType: `multipart/form-data; boundary=${boundary}`, signedBody: meta }
}

/**
 * A strict multipart/form-data reader that keeps every part's exact bytes: the media upload signs
 * the `meta` JSON, so it must be compared byte for byte (wechatpay-v3.md §11.1). Generic parsers
 * re-parse JSON parts and lose those bytes.
 */

export interface Part {
  name: string
  filename?: string
  contentType?: string
  data: Buffer
}

/** The boundary of a multipart Content-Type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  const m = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '')
  return m ? (m[1] ?? m[2]) : null
}

/** Splits a multipart body into parts; null when it is not well-formed. */
export function parseMultipart(body: Buffer, boundary: string): Part[] | null {
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Part[] = []
  let pos = body.indexOf(delimiter)
  if (pos !== 0) return null
  for (;;) {
    pos += delimiter.length
    if (body.subarray(pos, pos + 2).toString() === '--') return parts // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') return null
    pos += 2
    const headerEnd = body.indexOf('\r\n\r\n', pos)
    if (headerEnd < 0) return null
    const headers = new Map<string, string>()
    for (const line of body.subarray(pos, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':')
      if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim())
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next < 0) return null
    const disposition = headers.get('content-disposition') ?? ''
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1]
    if (name === undefined) return null
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1]
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(headers.has('content-type') ? { contentType: headers.get('content-type') } : {}), data: body.subarray(headerEnd + 4, next) })
    pos = next + 2
  }
}

/**
 * Onboarding images: the type comes from the content's magic bytes (jpg / png / bmp), never from
 * the name or the declared type alone; a declared type or extension that contradicts it is refused.
 */
export type ImageKind = 'jpg' | 'png' | 'bmp'

const MIME: Record<ImageKind, string> = { jpg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp' }
const EXTENSIONS: Record<string, ImageKind> = { jpg: 'jpg', jpeg: 'jpg', png: 'png', bmp: 'bmp' }
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The image type of these bytes by their signature, or null when they are not a jpg, png or bmp. */
export function sniffImage(bytes: Buffer): ImageKind | null {
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg'
  if (bytes.length > PNG_SIGNATURE.length && bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return 'png'
  // BITMAPFILEHEADER: "BM", then the file size (little-endian) which must not exceed what we hold.
  if (bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d && bytes.readUInt32LE(2) <= bytes.length && bytes.readUInt32LE(10) < bytes.length) return 'bmp'
  return null
}

/**
 * Why an upload is not an acceptable image, or null with its kind: the content must be a jpg, png
 * or bmp, and a declared image type or image extension must name that same kind.
 */
export function imageProblem(bytes: Buffer, declared: { filename?: string; mimetype?: string }): { kind: ImageKind; problem: null } | { kind: null; problem: string } {
  const kind = sniffImage(bytes)
  if (!kind) return { kind: null, problem: 'the file is not a JPG, PNG or BMP image' }
  const mime = declared.mimetype?.toLowerCase().split(';')[0].trim()
  if (mime && mime.startsWith('image/') && mime !== MIME[kind] && !(kind === 'jpg' && mime === 'image/jpg') && !(kind === 'bmp' && mime === 'image/x-ms-bmp')) {
    return { kind: null, problem: `the file is declared ${mime} but its content is a ${kind.toUpperCase()} image` }
  }
  const ext = declared.filename?.match(/\.([A-Za-z0-9]+)$/)?.[1]?.toLowerCase()
  if (ext && ext in EXTENSIONS && EXTENSIONS[ext] !== kind) return { kind: null, problem: `the file is named .${ext} but its content is a ${kind.toUpperCase()} image` }
  return { kind, problem: null }
}

/** The MIME type of an image kind. */
export const mimeOf = (kind: ImageKind) => MIME[kind]

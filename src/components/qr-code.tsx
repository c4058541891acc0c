import { Text, View } from '@tarojs/components'
import { useMemo } from 'react'
import { qrMatrix, rowBackground } from '@/lib/qr'

export interface QrCodeProps {
  id?: string
  /** What the code encodes (a URL, or a mini-program path). */
  text: string
  /** Side of the code itself in px, quiet zone excluded (rounded down to whole px per module). */
  sizePx?: number
  caption?: string
}

/** A QR code painted with one View per row of modules (no canvas), with a 4-module quiet zone. */
export function QrCode({ id, text, sizePx = 200, caption }: QrCodeProps) {
  const matrix = useMemo(() => qrMatrix(text), [text])
  const modulePx = Math.max(2, Math.floor(sizePx / matrix.size))
  const side = modulePx * matrix.size
  return (
    <View id={id} className='qr-code'>
      <View className='qr-code__frame' style={{ padding: `${modulePx * 4}px`, background: '#fff', display: 'inline-block' }}>
        {matrix.rows.map((row, y) => (
          <View key={y} id={id ? `${id}-row-${y}` : undefined} className='qr-code__row' style={{ width: `${side}px`, height: `${modulePx}px`, background: rowBackground(row, modulePx) }} />
        ))}
      </View>
      {caption && <Text className='qr-code__caption'>{caption}</Text>}
    </View>
  )
}

import { encode } from 'uqr'
import { qrMatrix, rowBackground } from '@/lib/qr'

describe('qrMatrix', () => {
  test('the runs reproduce the encoder\'s matrix exactly', () => {
    const text = 'pages/checkout/index?shopId=S1900001234'
    const { size, rows } = qrMatrix(text)
    const { data } = encode(text, { ecc: 'M', border: 0 })
    expect(rows).toHaveLength(size)
    const painted = rows.map((runs) => {
      const row = new Array<boolean>(size).fill(false)
      for (const [start, length] of runs) for (let x = start; x < start + length; x++) row[x] = true
      return row
    })
    expect(painted).toEqual(data)
  })

  test('finder patterns sit in three corners (a real QR code, version grows with the text)', () => {
    const { size, rows } = qrMatrix('https://pay.weixin.qq.com/public/apply4ec_sign/s?applymentId=2000002126198476&sign=b207b673049a32c858f3aabd7d27c7ec')
    expect(size).toBeGreaterThanOrEqual(33)
    expect((size - 17) % 4).toBe(0)
    expect(rows[0][0]).toEqual([0, 7])
    expect(rows[0][rows[0].length - 1]).toEqual([size - 7, 7])
    expect(rows[size - 1][0]).toEqual([0, 7])
    expect(rows[1][0]).toEqual([0, 1])
    expect(qrMatrix('x').size).toBe(21)
  })
})

describe('rowBackground', () => {
  test('hard stops at each dark run\'s edges', () => {
    expect(rowBackground([[0, 2], [5, 1]], 3)).toBe('linear-gradient(to right, #fff 0px, #fff 0px, #000 0px, #000 6px, #fff 6px, #fff 15px, #000 15px, #000 18px, #fff 18px, #fff 100%)')
    expect(rowBackground([], 3)).toBe('#fff')
  })
})

import { MAX_ORDER_FEN, formatFen, formatYuan, parseYuan } from '@/lib/money'

describe('parseYuan: yuan text → integer fen', () => {
  test.each([
    ['0.01', 1],
    ['12', 1200],
    [' 12.30 ', 1230],
    ['0.1', 10],
    ['0.10', 10],
    ['1.5', 150],
    ['100', 10000],
    ['19.99', 1999],
    ['\u300012.3\u3000', 1230],
    ['50000', MAX_ORDER_FEN],
    ['50000.00', MAX_ORDER_FEN],
    ['0.07', 7],
    ['1.10', 110],
  ])('%j → %d fen', (text, fen) => {
    expect(parseYuan(text)).toEqual({ ok: true, fen })
  })

  test.each([
    ['', 'EMPTY'],
    ['   ', 'EMPTY'],
    ['0', 'NOT_POSITIVE'],
    ['0.00', 'NOT_POSITIVE'],
    ['-1', 'NOT_POSITIVE'],
    ['1.005', 'TOO_MANY_DECIMALS'],
    ['0.001', 'TOO_MANY_DECIMALS'],
    ['1e3', 'FORMAT'],
    ['abc', 'FORMAT'],
    ['１２', 'FORMAT'],
    ['12.', 'FORMAT'],
    ['.5', 'FORMAT'],
    ['012', 'FORMAT'],
    ['+5', 'FORMAT'],
    ['1,000', 'FORMAT'],
    ['1 000', 'FORMAT'],
    ['Infinity', 'FORMAT'],
    ['0x10', 'FORMAT'],
    ['50000.01', 'TOO_LARGE'],
    ['99999999999999999999', 'TOO_LARGE'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(parseYuan(text)).toEqual({ ok: false, reason })
  })

  test('respects a custom maximum', () => {
    expect(parseYuan('100.00', 10000)).toEqual({ ok: true, fen: 10000 })
    expect(parseYuan('100.01', 10000)).toEqual({ ok: false, reason: 'TOO_LARGE' })
  })

  test('no floating point drift: every two-decimal amount up to ¥20 round-trips', () => {
    for (let fen = 1; fen <= 2000; fen += 1) {
      expect(parseYuan(formatFen(fen, { grouping: false }))).toEqual({ ok: true, fen })
    }
  })
})

describe('formatFen / formatYuan', () => {
  test.each([
    [1, '0.01'],
    [10, '0.10'],
    [1230, '12.30'],
    [100000, '1,000.00'],
    [MAX_ORDER_FEN, '50,000.00'],
    [0, '0.00'],
    [-150, '-1.50'],
  ])('%d fen → %s', (fen, text) => {
    expect(formatFen(fen)).toBe(text)
  })

  test('yuan sign and no grouping option', () => {
    expect(formatYuan(1230)).toBe('¥12.30')
    expect(formatFen(123456, { grouping: false })).toBe('1234.56')
  })

  test('refuses non-integer fen', () => {
    expect(() => formatFen(1.5)).toThrow(RangeError)
  })
})

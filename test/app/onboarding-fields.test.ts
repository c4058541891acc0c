import { validateApplication } from '@/contract/application-rules'
import { emptyValues, isVisible, toRequest, withField } from '@/store/onboarding-fields'

describe('onboarding fields per organization type', () => {
  test('企业 asks for the legal person\'s ID-card address and sends it; 小微 does not ask', () => {
    let values = withField(emptyValues(), 'organizationType', '2')
    expect(isVisible(values, 'idCard.address')).toBe(true)
    expect(isVisible(withField(emptyValues(), 'organizationType', '2401'), 'idCard.address')).toBe(false)
    values = withField(values, 'idCard.address', ' 北京市东城区某街道 1 号 ')
    expect(toRequest(values, 'req-fields-0001').idCard.address).toBe('北京市东城区某街道 1 号')
    expect(toRequest(withField(emptyValues(), 'organizationType', '2401'), 'req-fields-0002').idCard).not.toHaveProperty('address')
  })

  test('the shared rules: 企业 without the address is refused on that field; an agent as administrator is not offered', () => {
    const fields = validateApplication({ organizationType: '2', contact: { type: 'agent' } }).map((e) => e.field)
    expect(fields).toEqual(expect.arrayContaining(['idCard.address', 'contact.type']))
    expect(isVisible(withField(emptyValues(), 'organizationType', '4'), 'contact.type')).toBe(false)
  })
})

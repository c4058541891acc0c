import type { ApplicationRequest } from '../../../../src/contract/schemas'

/**
 * The onboarding request body (ApplicationRequestSchema) as stored sealed and mapped to WeChat Pay,
 * plus the legal person's ID-card address, which WeChat Pay requires for 企业 (id_card_address).
 */
export type ApplicationInput = Omit<ApplicationRequest, 'idCard'> & { idCard: ApplicationRequest['idCard'] & { address?: string } }

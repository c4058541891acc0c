/**
 * The body of POST /v3/ecommerce/applyments/ (wechatpay-service-provider.md §1.1) as one TypeBox
 * schema: types, lengths, enums and Chinese field names (`title`, used in WeChat Pay's messages).
 * Sensitive fields carry `x-encrypted`, image fields `x-media`: the walker below finds them.
 * What depends on the organization type is in applyment-rules.ts.
 */
import { Type, type TSchema } from '@sinclair/typebox'

export const ENCRYPTED = 'x-encrypted'
export const MEDIA = 'x-media'

const Str = (title: string, max: number, extra: Record<string, unknown> = {}) => Type.String({ title, minLength: 1, maxLength: max, ...extra })
const Opt = <T extends TSchema>(t: T) => Type.Optional(t)
/** A sensitive field: RSA-OAEP ciphertext, base64 (a 2048-bit key gives 344 characters). */
const Enc = (title: string) => Type.String({ title, minLength: 1, maxLength: 2048, [ENCRYPTED]: true })
/** A media_id from /v3/merchant/media/upload. */
const Media = (title: string) => Type.String({ title, minLength: 1, maxLength: 512, [MEDIA]: true })
const Enum = (title: string, values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)), { title })
const Bool = (title: string) => Type.Boolean({ title })
const Day = (title: string) => Str(title, 10, { pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
const DayOrForever = (title: string) => Str(title, 10, { pattern: '^(\\d{4}-\\d{2}-\\d{2}|长期)$' })
/** Up to five media ids: a JSON array, or (WXJ) that array as a string; both accepted (UNCONFIRMED). */
const MediaList = (title: string) => Type.Union([Type.Array(Media(title), { maxItems: 5, title }), Str(title, 1024)], { title })

export const ORGANIZATION_TYPES = ['2401', '2500', '4', '2', '3', '2502', '1708'] as const
export const ID_DOC_TYPES = [
  'IDENTIFICATION_TYPE_MAINLAND_IDCARD',
  'IDENTIFICATION_TYPE_OVERSEA_PASSPORT',
  'IDENTIFICATION_TYPE_HONGKONG',
  'IDENTIFICATION_TYPE_MACAO',
  'IDENTIFICATION_TYPE_TAIWAN',
  'IDENTIFICATION_TYPE_FOREIGN_RESIDENT',
  'IDENTIFICATION_TYPE_HONGKONG_MACAO_RESIDENT',
  'IDENTIFICATION_TYPE_TAIWAN_RESIDENT',
] as const
export const CERT_TYPES = ['2388', '2389', '2394', '2395', '2396', '2399', '2400', '2520', '2521', '2522'].map((n) => `CERTIFICATE_TYPE_${n}`)

const BusinessLicenseInfo = Type.Object(
  {
    cert_type: Opt(Enum('证书类型', CERT_TYPES)),
    business_license_copy: Media('证件扫描件'),
    business_license_number: Str('证件注册号', 18),
    merchant_name: Str('商户名称', 128),
    legal_person: Str('经营者/法定代表人姓名', 128),
    company_address: Opt(Str('注册地址', 128)),
    business_time: Opt(Str('营业期限', 256)),
  },
  { title: '营业执照/登记证书信息' },
)

const IdCardInfo = Type.Object(
  {
    id_card_copy: Media('身份证人像面照片'),
    id_card_national: Media('身份证国徽面照片'),
    id_card_name: Enc('身份证姓名'),
    id_card_number: Enc('身份证号码'),
    id_card_address: Opt(Enc('身份证居住地址')),
    id_card_valid_time_begin: Day('身份证开始时间'),
    id_card_valid_time: DayOrForever('身份证结束时间'),
  },
  { title: '经营者/法人身份证信息' },
)

const IdDocInfo = Type.Object(
  {
    id_doc_copy: Media('证件正面照片'),
    id_doc_copy_back: Opt(Media('证件反面照片')),
    id_doc_name: Enc('证件姓名'),
    id_doc_number: Enc('证件号码'),
    id_doc_address: Opt(Enc('证件居住地址')),
    doc_period_begin: Day('证件有效期开始时间'),
    doc_period_end: DayOrForever('证件有效期结束时间'),
  },
  { title: '经营者/法人其他类型证件信息' },
)

const UboInfo = Type.Object(
  {
    ubo_id_doc_type: Enum('证件类型', ID_DOC_TYPES),
    ubo_id_doc_copy: Media('证件正面照片'),
    ubo_id_doc_copy_back: Opt(Media('证件反面照片')),
    ubo_id_doc_name: Enc('证件姓名'),
    ubo_id_doc_number: Enc('证件号码'),
    ubo_id_doc_address: Enc('证件居住地址'),
    // Both spellings (UNCONFIRMED which one the live endpoint wants): ubo_id_doc_period_* and ubo_period_*.
    ubo_id_doc_period_begin: Opt(Day('证件有效期开始时间')),
    ubo_id_doc_period_end: Opt(DayOrForever('证件有效期结束时间')),
    ubo_period_begin: Opt(Day('证件有效期开始时间')),
    ubo_period_end: Opt(DayOrForever('证件有效期结束时间')),
  },
  { title: '最终受益人信息' },
)

const AccountInfo = Type.Object(
  {
    bank_account_type: Enum('账户类型', ['74', '75']),
    account_bank: Str('开户银行', 128),
    account_name: Enc('开户名称'),
    bank_address_code: Str('开户银行省市编码', 12, { pattern: '^\\d{6,12}$' }),
    bank_branch_id: Opt(Str('开户银行联行号', 64)),
    bank_name: Opt(Str('开户银行全称（含支行）', 128)),
    account_number: Enc('银行账号'),
    account_cert_info: Opt(
      Type.Object(
        {
          settlement_cert_pic: Opt(Media('结算证明函')),
          relation_cert_pic: Opt(Media('关系证明函')),
          other_cert_pics: Opt(Type.Array(Media('其他补充证明'), { maxItems: 5 })),
        },
        { title: '结算账户证明信息' },
      ),
    ),
  },
  { title: '结算账户信息' },
)

const ContactInfo = Type.Object(
  {
    contact_type: Enum('超级管理员类型', ['65', '66']),
    contact_name: Enc('超级管理员姓名'),
    contact_id_doc_type: Opt(Enum('超级管理员证件类型', ID_DOC_TYPES)),
    contact_id_card_number: Opt(Enc('超级管理员身份证件号码')),
    contact_id_doc_copy: Opt(Media('超级管理员证件正面照片')),
    contact_id_doc_copy_back: Opt(Media('超级管理员证件反面照片')),
    // Both spellings (UNCONFIRMED): contact_id_doc_period_* (WXJ) and contact_period_* (IM/OA).
    contact_id_doc_period_begin: Opt(Day('超级管理员证件有效期开始时间')),
    contact_id_doc_period_end: Opt(DayOrForever('超级管理员证件有效期结束时间')),
    contact_period_begin: Opt(Day('超级管理员证件有效期开始时间')),
    contact_period_end: Opt(DayOrForever('超级管理员证件有效期结束时间')),
    business_authorization_letter: Opt(Media('业务办理授权函')),
    mobile_phone: Enc('超级管理员手机'),
    contact_email: Opt(Enc('超级管理员邮箱')),
  },
  { title: '超级管理员信息' },
)

/** POST /v3/ecommerce/applyments/. */
export const ApplymentBody = Type.Object(
  {
    out_request_no: Str('业务申请编号', 124),
    organization_type: Enum('主体类型', ORGANIZATION_TYPES),
    finance_institution: Opt(Bool('是否金融机构')),
    business_license_info: Opt(BusinessLicenseInfo),
    finance_institution_info: Opt(
      Type.Object(
        {
          finance_type: Enum('金融机构类型', ['BANK_AGENT', 'PAYMENT_AGENT', 'INSURANCE', 'TRADE_AND_SETTLE', 'OTHER']),
          finance_license_pics: Type.Array(Media('金融机构许可证图片'), { minItems: 1, maxItems: 5, title: '金融机构许可证图片' }),
        },
        { title: '金融机构许可证信息' },
      ),
    ),
    id_holder_type: Opt(Enum('证件持有人类型', ['LEGAL', 'SUPER'])),
    id_doc_type: Opt(Enum('经营者/法人证件类型', ID_DOC_TYPES)),
    authorize_letter_copy: Opt(Media('法定代表人说明函')),
    id_card_info: Opt(IdCardInfo),
    id_doc_info: Opt(IdDocInfo),
    owner: Opt(Bool('经营者/法人是否为受益人')),
    ubo_info_list: Opt(Type.Array(UboInfo, { maxItems: 4, title: '最终受益人信息列表' })),
    account_info: AccountInfo,
    contact_info: ContactInfo,
    sales_scene_info: Type.Object(
      {
        store_name: Str('店铺名称', 256),
        store_url: Opt(Str('店铺链接', 1024)),
        store_qr_code: Opt(Media('店铺二维码')),
        mini_program_sub_appid: Opt(Str('小程序AppID', 256, { pattern: '^[0-9A-Za-z_\\-]+$' })),
      },
      { title: '店铺信息' },
    ),
    settlement_info: Opt(
      Type.Object({ settlement_id: Opt(Type.Integer({ title: '结算规则ID' })), qualification_type: Opt(Str('所属行业', 256)) }, { title: '结算规则' }),
    ),
    merchant_shortname: Str('商户简称', 64),
    qualifications: Opt(MediaList('特殊资质')),
    business_addition_pics: Opt(MediaList('补充材料')),
    business_addition_desc: Opt(Str('补充说明', 512)),
  },
  { title: '请求体' },
)

/** A sensitive or media field found in a body: its JSON pointer and value. */
export interface FieldHit {
  pointer: string
  value: string
  title: string
}

/** Walks `value` along `schema` and returns the string fields whose schema carries `marker`. */
export function fieldsMarked(schema: TSchema, value: unknown, marker: string, pointer = ''): FieldHit[] {
  if (value === undefined || value === null) return []
  if (schema.anyOf) return (schema.anyOf as TSchema[]).flatMap((s) => (matches(s, value) ? fieldsMarked(s, value, marker, pointer) : []))
  if (schema.type === 'string') return schema[marker] && typeof value === 'string' ? [{ pointer, value, title: String(schema.title ?? pointer) }] : []
  if (schema.type === 'array' && Array.isArray(value)) return value.flatMap((v, i) => fieldsMarked(schema.items as TSchema, v, marker, `${pointer}/${i}`))
  if (schema.type === 'object' && typeof value === 'object' && !Array.isArray(value)) {
    const props = (schema.properties ?? {}) as Record<string, TSchema>
    return Object.entries(props).flatMap(([k, s]) => fieldsMarked(s, (value as Record<string, unknown>)[k], marker, `${pointer}/${k}`))
  }
  return []
}

const matches = (s: TSchema, v: unknown) => (s.type === 'array' ? Array.isArray(v) : s.type === 'string' ? typeof v === 'string' : s.const !== undefined ? v === s.const : true)

/** The schema node at a JSON pointer (for its title), or undefined. */
export function schemaAt(pointer: string, schema: TSchema = ApplymentBody): TSchema | undefined {
  let s: TSchema | undefined = schema
  for (const key of pointer.split('/').slice(1)) {
    if (!s) return undefined
    if (s.type === 'array') s = s.items as TSchema
    else if (s.anyOf) s = (s.anyOf as TSchema[]).find((b) => b.type === 'array')?.items as TSchema | undefined
    else s = (s.properties as Record<string, TSchema> | undefined)?.[key]
  }
  return s
}

/** The Chinese name WeChat Pay uses for the field at `pointer`. */
export const titleAt = (pointer: string): string => String(schemaAt(pointer)?.title ?? pointer.split('/').pop())

/**
 * The platform-certificate life cycle (wechatpay-v3.md §2.3, §2.4), apart from the transport, as
 * wechatpay-go's downloader: download GET /v3/certificates, decrypt and verify, keep the key map,
 * refresh every 12 h in the background, drop expired certificates.
 */
import type { KeyObject } from 'node:crypto'
import { decryptAead } from './aead'
import { WechatPayError } from './errors'
import { loadCertificate } from './keys'
import { unverifiedAnswer, type AnswerKeys, type UnverifiedAnswer } from './transport'
import type { CertificatesResponse } from './types'
import { PlatformKeys, verifyWechatpaySignature, type PlatformKeyStore } from './verify'

/** Platform certificates are re-downloaded this often. */
export const CERTIFICATE_REFRESH_MS = 12 * 60 * 60 * 1000
/** At most one download this often on an unknown serial, and between retries of a failed download. */
export const UNKNOWN_SERIAL_REFRESH_MIN_MS = 60 * 1000

/** A platform certificate as downloaded. */
export interface PlatformCertificate {
  serialNo: string
  validFrom: Date
  validTo: Date
  pem: string
}

export interface CertificateManagerOptions {
  apiV3Key: Buffer
  /** GET /v3/certificates, answer not yet verified. */
  fetch: () => Promise<UnverifiedAnswer>
  /** Milliseconds since the epoch. */
  clock: () => number
  /** Certificate mode: calls wait for the first download. Migration mode: never wait, the public key verifies meanwhile. */
  required: boolean
  /** Other keys that may sign the download (the public key during a migration). */
  trusted?: PlatformKeyStore
  /** A download failed while cached certificates (or the public key) stay in use. */
  onRefreshError: (e: unknown) => void
}

interface Held {
  key: KeyObject
  validFrom: number
  validTo: number
}

/** The downloaded platform certificates as a key store that keeps itself fresh. */
export class CertificateManager implements PlatformKeyStore {
  private held = new Map<string, Held>()
  private loadedAt = -Infinity
  private attemptedAt = -Infinity
  private inflight: Promise<void> | null = null

  constructor(private readonly o: CertificateManagerOptions) {}

  /** The key of a certificate that has not expired. */
  get(serial: string): KeyObject | undefined {
    const c = this.held.get(serial)
    if (c && c.validTo <= this.o.clock()) {
      this.held.delete(serial)
      return undefined
    }
    return c?.key
  }

  /** Serials of the certificates that have not expired. */
  serials(): string[] {
    return [...this.held.keys()].filter((s) => this.get(s) !== undefined)
  }

  /** The newest certificate already in force, for encrypting sensitive fields. */
  newest(): { serial: string; key: KeyObject } | null {
    const now = this.o.clock()
    let best: { serial: string; key: KeyObject; validFrom: number } | null = null
    for (const [serial, c] of this.held) {
      if (c.validFrom <= now && c.validTo > now && (!best || c.validFrom > best.validFrom)) best = { serial, key: c.key, validFrom: c.validFrom }
    }
    return best && { serial: best.serial, key: best.key }
  }

  /**
   * Resolves when answers can be verified. Only a required manager with nothing usable waits
   * for a download; a stale cache is refreshed in the background (at most once a minute while it fails).
   */
  async ready(): Promise<void> {
    const now = this.o.clock()
    if (now - this.loadedAt < CERTIFICATE_REFRESH_MS) return
    if (this.o.required && this.serials().length === 0) {
      await this.refresh()
      return
    }
    if (now - this.attemptedAt >= UNKNOWN_SERIAL_REFRESH_MIN_MS) this.refreshInBackground()
  }

  /** After an unknown serial: waits for a download under way, or starts one at most once a minute. True when one completed. */
  async refreshOnUnknownSerial(): Promise<boolean> {
    if (!this.inflight && this.o.clock() - this.attemptedAt < UNKNOWN_SERIAL_REFRESH_MIN_MS) return false
    try {
      await this.refresh()
      return true
    } catch (e) {
      this.o.onRefreshError(e)
      return false
    }
  }

  /** One download at a time; concurrent callers share it. */
  refresh(): Promise<void> {
    this.inflight ??= this.download()
      .then(() => undefined)
      .finally(() => {
        this.inflight = null
      })
    return this.inflight
  }

  private refreshInBackground(): void {
    this.refresh().catch((e: unknown) => this.o.onRefreshError(e))
  }

  /**
   * GET /v3/certificates: decrypts each certificate with the APIv3 key, checks its serial, then
   * verifies the answer with one of the certificates it carries; on success they replace the held ones.
   */
  async download(): Promise<PlatformCertificate[]> {
    this.attemptedAt = this.o.clock()
    const res = await this.o.fetch()
    const malformed = (message: string, cause?: unknown) => new WechatPayError({ status: res.status, code: 'MALFORMED_RESPONSE', message, requestId: res.requestId, cause })
    let parsed: CertificatesResponse
    try {
      parsed = JSON.parse(res.raw.toString('utf8')) as CertificatesResponse
      if (!Array.isArray(parsed.data)) throw new Error('no data')
    } catch (e) {
      throw malformed('certificates answer is not the expected JSON', e)
    }
    const certs = parsed.data.map((item) => {
      let pem: string
      let cert: ReturnType<typeof loadCertificate>
      try {
        const e = item.encrypt_certificate
        pem = decryptAead({ apiV3Key: this.o.apiV3Key, nonce: e.nonce, associatedData: e.associated_data, ciphertext: e.ciphertext })
        cert = loadCertificate(pem, `platform certificate ${item.serial_no}`)
      } catch (e) {
        throw malformed(`platform certificate ${String(item?.serial_no)} cannot be decrypted or read (${(e as Error).message})`, e)
      }
      if (cert.serialNo !== item.serial_no.toUpperCase()) throw malformed(`certificate serial ${cert.serialNo} does not match serial_no ${item.serial_no}`)
      return { ...cert, pem }
    })
    const candidates = new PlatformKeys(certs.map((c) => [c.serialNo, c.publicKey]))
    const keys: PlatformKeyStore = { get: (serial) => candidates.get(serial) ?? this.get(serial) ?? this.o.trusted?.get(serial) }
    const result = verifyWechatpaySignature({ headers: res.headers, body: res.raw, keys, now: Math.floor(this.o.clock() / 1000) })
    if (!result.ok) throw unverifiedAnswer(result, res.status, res.requestId, candidates.serials())
    const now = this.o.clock()
    this.held = new Map(certs.filter((c) => c.validTo.getTime() > now).map((c) => [c.serialNo, { key: c.publicKey, validFrom: c.validFrom.getTime(), validTo: c.validTo.getTime() }]))
    this.loadedAt = now
    return certs.map(({ serialNo, validFrom, validTo, pem }) => ({ serialNo, validFrom, validTo, pem }))
  }
}

/** The keys a client verifies with: a fixed public key, downloaded certificates, or both during a migration. */
export class PlatformKeyRing implements AnswerKeys {
  constructor(
    private readonly fixed: PlatformKeys,
    readonly certificates?: CertificateManager,
  ) {}

  get(serial: string): KeyObject | undefined {
    return this.fixed.get(serial) ?? this.certificates?.get(serial)
  }

  serials(): string[] {
    return [...this.fixed.serials(), ...(this.certificates?.serials() ?? [])]
  }

  ready(): Promise<void> {
    return this.certificates ? this.certificates.ready() : Promise.resolve()
  }

  refreshOnUnknownSerial(): Promise<boolean> {
    return this.certificates ? this.certificates.refreshOnUnknownSerial() : Promise.resolve(false)
  }
}

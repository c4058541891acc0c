/**
 * Transitional: the in-process key lock now lives in storage/memory-guards.ts and services take the
 * storage's `withLock`; this re-export remains only for callers not converted yet (applications).
 */
export { createKeyLock as createOrderLock } from '../../storage/memory-guards'

/**
 * A parsed JSON answer as the tests read it: they assert on its shape field by field, so it is
 * deliberately untyped (the contract's schemas check whole answers where a test needs that).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any

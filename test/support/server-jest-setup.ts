// Server suites generate RSA keys and talk real HTTP on a busy 2-core machine: generous time per test
// and hook (never a timing assertion; a hung test still fails).
jest.setTimeout(30_000)

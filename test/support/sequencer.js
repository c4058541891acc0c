// jest's test order. The default runs the suites that took longest last time first, which puts two
// suites waiting for the same Taro build side by side and leaves a build for the end. Instead the
// suites that make a build start first, each a different one (test/support/taro-cache.ts: the
// builds then run side by side, and the suites that reuse them find them made), then the long
// suites that mostly wait (a restarted backend, a browser); everything else in jest's own order.
const Sequencer = require('@jest/test-sequencer').default

const FIRST = [
  'test/weapp/production-bundle.test.ts', // the prod and mock weapp builds
  'test/e2e/onboarding.test.ts', // the H5 build
  'test/weapp/checkout.test.ts', // the simulator's weapp build
  'test/merchant/crash.test.ts',
  'test/weapp/miniprogram-ci.test.ts',
  'test/e2e/dashboard.test.ts',
  'test/e2e/checkout.test.ts',
  'test/weapp/onboarding.test.ts',
]

class BuildsFirstSequencer extends Sequencer {
  sort(tests) {
    const rank = (test) => {
      const i = FIRST.findIndex((suffix) => test.path.endsWith(suffix))
      return i === -1 ? FIRST.length : i
    }
    const byDefault = super.sort([...tests])
    return byDefault.map((test, order) => ({ test, order })).sort((a, b) => rank(a.test) - rank(b.test) || a.order - b.order).map(({ test }) => test)
  }
}

module.exports = BuildsFirstSequencer

// The hooks every simulator suite needs: the shared mock-backend build before the suite, and the
// launched app closed after each test, so a failing test never leaves its pages behind.
import { simBuild } from './build-weapp'
import { launchApp, waitFor, type SimApp } from './weapp-sim'
import type { WxBehaviour } from './wx-stub'

export interface SimSuite {
  /** Launches the app on `entry` with a fresh `wx`, and waits until `ready(app)` is truthy (`what` names it on a timeout). */
  open(entry: string, wx: Partial<WxBehaviour>, ready: (app: SimApp) => unknown, what: string): Promise<SimApp>
}

/** Registers the suite's beforeAll / afterEach; call it at the top of a test file. */
export function simSuite(): SimSuite {
  let root = ''
  let app: SimApp | undefined
  beforeAll(async () => {
    root = await simBuild()
  })
  afterEach(() => {
    app?.close()
    app = undefined
  })
  return {
    async open(entry, wx, ready, what) {
      const launched = launchApp(root, entry, { wx })
      app = launched
      await waitFor(() => ready(launched), what)
      return launched
    },
  }
}

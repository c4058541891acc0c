// The three weapp builds the weapp suites share, made once per change of the sources
// (test/support/taro-cache.ts): whichever suite needs one first builds it, the others reuse it.
import { BUILD_STAMP, ensureTaroBuild, projectRoot } from '../../support/taro-cache'

export { BUILD_STAMP, projectRoot }

/** The production API base the production build is wired to. */
export const PROD_API_BASE = 'https://api.example.com'

/** The production build: a backend at PROD_API_BASE, the real `wechat` driver (what `npm run build:weapp` makes). */
export const prodBuild = () => ensureTaroBuild('weapp', 'weapp-prod', { TARO_APP_API_BASE: PROD_API_BASE, TARO_APP_PAY_MODE: 'wechat' })

/** The build the simulator suites drive: the in-app mock backend with the real `wechat` driver. */
export const simBuild = () => ensureTaroBuild('weapp', 'weapp-sim', { TARO_APP_API_BASE: '', TARO_APP_PAY_MODE: 'wechat' })

/** The development build: the in-app mock backend and the simulated pay sheet (empty settings). */
export const mockBuild = () => ensureTaroBuild('weapp', 'weapp-mock', { TARO_APP_API_BASE: '', TARO_APP_PAY_MODE: '' })

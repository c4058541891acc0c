/**
 * `npm run doctor`'s pairing checks for the scenario (platform.md): which appid logs in, orders
 * and signs paySign, and the settings that contradict it, each with what to change.
 */
import type { Config } from './config'

/** Problems and passed checks of the scenario pairing, given the raw settings and the loaded config. */
export function scenarioChecks(present: Record<string, string>, config: Config): { problems: string[]; passed: string[] } {
  const problems: string[] = []
  const passed: string[] = []
  if (config.mode === 'direct') {
    for (const key of ['WECHAT_COMPONENT_APPID', 'WECHAT_COMPONENT_APPSECRET']) if (present[key]) problems.push(`${key} is set but WECHATPAY_MODE is direct: the component is only for the thirdparty scenario, remove it`)
    return { problems, passed }
  }
  const s = config.scenario
  const login = s === 'thirdparty' ? `/sns/component/jscode2session through component ${config.component?.appId}` : `/sns/jscode2session with ${config.miniProgramAppId} and WECHAT_APP_SECRET`
  const order = s === 'centralized' ? `sp_appid ${config.appId} + payer.sp_openid` : `sub_appid ${config.subAppId} + payer.sub_openid`
  passed.push(`scenario ${s}${present.WECHATPAY_SCENARIO ? '' : ' (default)'}: login ${login}; order ${order}; paySign appId ${config.miniProgramAppId}`)
  if (s !== 'centralized' && config.subAppId === config.appId) {
    problems.push(`WECHATPAY_SUB_APPID equals WECHATPAY_APPID: in the ${s} scenario it is the shop's own mini-program; for the provider's mini-program set WECHATPAY_SCENARIO=centralized and remove WECHATPAY_SUB_APPID`)
  }
  if (s !== 'thirdparty') {
    for (const key of ['WECHAT_COMPONENT_APPID', 'WECHAT_COMPONENT_APPSECRET']) if (present[key]) problems.push(`${key} is set but WECHATPAY_SCENARIO is ${s}: set WECHATPAY_SCENARIO=thirdparty to log in through the component, or remove it`)
  } else {
    if (present.WECHAT_APP_SECRET) passed.push('WECHAT_APP_SECRET is not used in the thirdparty scenario (login goes through the component)')
    if (config.component?.appId === config.subAppId || config.component?.appId === config.appId) problems.push('WECHAT_COMPONENT_APPID is a mini-program appid: use the appid of the open-platform component (第三方平台)')
    passed.push('thirdparty: hand the component verify ticket to POST /api/admin/component/ticket before the first login')
  }
  // The appid the mini-program is built with is the one that calls wx.requestPayment: it must be the one that ordered.
  const built = present.TARO_APP_APPID
  if (built && built !== config.miniProgramAppId) {
    problems.push(`TARO_APP_APPID is ${built} but the ${s} scenario orders and signs paySign for ${config.miniProgramAppId}: build the mini-program with TARO_APP_APPID=${config.miniProgramAppId} (and that appid in project.config.json), or WeChat refuses the payment (调用支付JSAPI的appid与下单appid不一致)`)
  } else if (built) passed.push(`TARO_APP_APPID ${built} is the appid that orders`)
  return { problems, passed }
}

// The emulator dashboard: polls the control API every 2 s and renders orders, notifications,
// onboarding applications, merchants and the clock; its buttons call the same control API.
'use strict'
;(() => {
  const API = '/__emulator'
  const REFRESH_MS = 2000
  const DETAIL_LIMIT = 40 // order views fetched per refresh (refunds, splits)
  const $ = (id) => document.getElementById(id)

  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])
  const yuan = (fen) => (typeof fen === 'number' ? `¥${(fen / 100).toFixed(2)}` : '')
  const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '')
  const badge = (state) => `<span class="badge s-${esc(String(state).toLowerCase())}">${esc(state)}</span>`
  const q = (params) => {
    const s = new URLSearchParams(Object.entries(params).filter(([, v]) => v)).toString()
    return s ? `?${s}` : ''
  }

  async function get(path) {
    const res = await fetch(API + path, { cache: 'no-store' })
    if (res.status === 404 && path === '/applyments') return null
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
    return res.json()
  }

  async function post(path, body) {
    const res = await fetch(API + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) })
    const answer = await res.json().catch(() => ({}))
    if (!res.ok) throw new Error(answer.error ? `${answer.error.code}: ${answer.error.message}` : `HTTP ${res.status}`)
    return answer
  }

  let flashTimer
  function flash(text, bad) {
    const el = $('flash')
    el.textContent = text
    el.className = bad ? 'flash bad' : 'flash'
    el.hidden = false
    clearTimeout(flashTimer)
    flashTimer = setTimeout(() => (el.hidden = true), 6000)
  }

  /** Replaces a section only when it changed, keeping what was typed into its inputs. */
  function put(id, html) {
    const el = $(id)
    if (el.dataset.html === html) return
    const typed = {}
    for (const input of el.querySelectorAll('input[id]')) typed[input.id] = input.value
    el.innerHTML = html
    el.dataset.html = html
    for (const [k, v] of Object.entries(typed)) if ($(k)) $(k).value = v
  }

  // ---- orders: attempts (out_trade_no) of one backend order share the prefix before "_<n>" ----
  const orderNoOf = (outTradeNo) => outTradeNo.replace(/_\d+$/, '')

  function renderOrders(list, details) {
    const groups = new Map()
    for (const o of list) {
      const key = `${o.mchid}|${o.subMchid ?? ''}|${orderNoOf(o.outTradeNo)}`
      if (!groups.has(key)) groups.set(key, [])
      groups.get(key).push(o)
    }
    $('orders-count').textContent = `${list.length} out_trade_no${list.length === 1 ? '' : 's'}`
    if (!list.length) return '<p class="empty">none yet</p>'
    const rows = []
    for (const attempts of groups.values()) {
      const head = attempts[0]
      attempts.sort((a, b) => a.outTradeNo.localeCompare(b.outTradeNo, 'en', { numeric: true }))
      const attemptHtml = attempts
        .map((a) => {
          const d = details.get(`${a.mchid}|${a.outTradeNo}`) || {}
          const pay = a.tradeState === 'NOTPAY' ? `<button type="button" class="pay" data-pay="${esc(a.outTradeNo)}" data-mchid="${esc(a.mchid)}">Pay</button>` : ''
          const refunds = (d.refunds || [])
            .map((r) => `<li>refund <code>${esc(r.out_refund_no)}</code> ${yuan(r.amount && r.amount.refund)} ${badge(r.status)}</li>`)
            .join('')
          const ps = d.profitSharing
          const splits = ps && ps.enabled !== false
            ? `<li>profit sharing: unsplit ${yuan(ps.unsplitAmount)}${(ps.splits || []).map((s) => ` · split ${esc(s.out_order_no ?? s.outOrderNo ?? s.splitNo ?? '')} ${badge(s.state ?? s.status ?? '')} ${(s.receivers || []).map((r) => `${esc(r.account)} ${yuan(r.amount)}`).join(', ')}`).join('')}${(ps.returns || []).length ? ` · ${ps.returns.length} return(s)` : ''}</li>`
            : ''
          return `<div class="attempt" data-out-trade-no="${esc(a.outTradeNo)}">
            <div><code>${esc(a.outTradeNo)}</code> ${badge(a.tradeState)} ${d.transactionId ? `<span class="muted">txn ${esc(d.transactionId)}</span>` : ''} ${pay}</div>
            ${refunds || splits ? `<ul>${refunds}${splits}</ul>` : ''}
          </div>`
        })
        .join('')
      const last = attempts[attempts.length - 1]
      rows.push(`<tr class="order" data-order-no="${esc(orderNoOf(head.outTradeNo))}">
        <td><strong>${esc(orderNoOf(head.outTradeNo))}</strong><div class="muted">${esc(head.description)}</div></td>
        <td class="num">${yuan(head.amount)}</td>
        <td>${badge(last.tradeState)}</td>
        <td>${attemptHtml}</td>
        <td class="muted nowrap">${esc(head.mchid)}${head.subMchid ? `<br>sub ${esc(head.subMchid)}` : ''}</td>
        <td class="muted nowrap">${time(head.createdAt).replace(' ', '<br>')}</td>
      </tr>`)
    }
    return `<table><thead><tr><th>order</th><th>amount</th><th>state</th><th>attempts (out_trade_no)</th><th>merchant</th><th>created</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  }

  function renderNotifications(deliveries) {
    const byId = new Map()
    for (const d of deliveries) {
      if (!byId.has(d.notificationId)) byId.set(d.notificationId, [])
      byId.get(d.notificationId).push(d)
    }
    const jobs = [...byId.entries()].reverse()
    $('notifications-count').textContent = `${jobs.length}`
    if (!jobs.length) return '<p class="empty">none yet</p>'
    return jobs
      .map(([id, list]) => {
        const first = list[0]
        const delivered = list.some((d) => d.delivered)
        const rows = list
          .map((d) => `<tr class="delivery k-${esc(d.kind)}">
            <td>#${esc(d.attempt)} ${esc(d.kind)}</td>
            <td>${d.status ? `<span class="code ${d.delivered ? 'ok' : 'bad'}">${esc(d.status)}</span>` : '<span class="code bad">—</span>'}</td>
            <td class="muted">${time(d.at)}</td>
            <td class="muted num">${esc(d.durationMs)} ms</td>
            <td class="muted">${esc(d.error || (d.response && d.response.body) || '')}</td>
          </tr>`)
          .join('')
        return `<div class="notification" data-notification-id="${esc(id)}">
          <div class="nhead">
            <span>${badge(first.eventType)} <code>${esc(first.outRefundNo || first.outTradeNo)}</code> → <span class="muted">${esc(first.url)}</span></span>
            <span>${delivered ? '<span class="tag ok">delivered</span>' : '<span class="tag bad">not delivered</span>'}
            <button type="button" data-redeliver="${esc(id)}">Redeliver</button></span>
          </div>
          <table class="deliveries"><tbody>${rows}</tbody></table>
        </div>`
      })
      .join('')
  }

  function renderApplyments(answer) {
    if (answer === null) {
      $('applyments-count').textContent = ''
      return '<p class="empty">none (this emulator has no onboarding routes)</p>'
    }
    const list = answer.applyments || []
    $('applyments-count').textContent = `${list.length}`
    if (!list.length) return '<p class="empty">none yet</p>'
    return `<table><thead><tr><th>applyment</th><th>merchant</th><th>state</th><th></th></tr></thead><tbody>${list
      .map((a) => {
        const id = esc(a.applymentId)
        const name = (a.request && (a.request.merchant_shortname || (a.request.sales_info && a.request.sales_info.merchant_shortname))) || ''
        const final = ['FINISH', 'REJECTED', 'CANCELED', 'FROZEN'].includes(a.state)
        const actions = final
          ? ''
          : `<div class="actions">
               <button type="button" data-advance-applyment="${id}" data-to="FINISH">Approve</button>
               <button type="button" data-advance-applyment="${id}" data-to="NEED_SIGN">Ask for signing</button>
             </div>
             <div class="actions">
               <input id="reason-${id}" class="reason" placeholder="reject reason">
               <button type="button" data-advance-applyment="${id}" data-to="REJECTED">Reject</button>
             </div>`
        return `<tr class="applyment" data-applyment-id="${id}">
          <td class="nowrap"><code>${id}</code><div class="muted">${esc(a.outRequestNo)}</div></td>
          <td>${esc(name)}<div class="muted">${esc(a.mchid)}${a.subMchid ? ` → sub ${esc(a.subMchid)}` : ''}</div></td>
          <td>${badge(a.state)}</td>
          <td>${actions}</td>
        </tr>`
      })
      .join('')}</tbody></table>`
  }

  function renderMerchants(list) {
    $('merchants-count').textContent = `${list.length}`
    if (!list.length) return '<p class="empty">none registered (POST /__emulator/merchants, or npm run stack)</p>'
    return `<table><thead><tr><th>mchid</th><th>merchant key (serial_no)</th><th>platform key</th><th>appids</th><th>sub-merchants</th></tr></thead><tbody>${list
      .map((m) => `<tr class="merchant">
        <td class="nowrap"><code>${esc(m.mchid)}</code></td>
        <td><code>${esc(m.serialNo)}</code></td>
        <td>${esc(m.platform.mode)} <code>${esc(m.platform.serialNo)}</code>${m.pendingPlatform ? `<div class="muted">switching to ${esc(m.pendingPlatform.mode)} <code>${esc(m.pendingPlatform.serialNo)}</code></div>` : ''}</td>
        <td>${m.appIds.map((a) => `<code>${esc(a)}</code>`).join('<br>')}</td>
        <td>${m.subMchids.map((s) => `<code>${esc(s.mchid)}</code>${s.appIds.length ? ` <span class="muted">${s.appIds.map(esc).join(', ')}</span>` : ''}`).join('<br>')}</td>
      </tr>`)
      .join('')}</tbody></table>`
  }

  async function refresh() {
    try {
      const [clock, merchants, orders, notifications, applyments] = await Promise.all([
        get('/clock'),
        get('/merchants'),
        get('/orders'),
        get('/notifications'),
        get('/applyments').catch(() => null),
      ])
      const details = new Map()
      await Promise.all(
        orders.orders.slice(0, DETAIL_LIMIT).map(async (o) => {
          const d = await get(`/orders/${encodeURIComponent(o.outTradeNo)}${q({ mchid: o.mchid })}`).catch(() => null)
          if (d) details.set(`${o.mchid}|${o.outTradeNo}`, d)
        }),
      )
      $('clock-now').textContent = time(clock.now)
      $('clock-offset').textContent = clock.offsetMs ? `(+${Math.round(clock.offsetMs / 1000)} s ahead of real time)` : '(real time)'
      put('orders', renderOrders(orders.orders, details))
      put('notifications', renderNotifications(notifications.deliveries))
      put('applyments', renderApplyments(applyments))
      put('merchants', renderMerchants(merchants.merchants))
      $('status').textContent = `updated ${new Date().toLocaleTimeString('en-GB')}`
      $('status').className = 'status muted'
    } catch (e) {
      $('status').textContent = `emulator not reachable: ${e.message}`
      $('status').className = 'status bad'
    }
  }

  async function act(button, run) {
    button.disabled = true
    try {
      flash(await run())
    } catch (e) {
      flash(e.message, true)
    } finally {
      button.disabled = false
      await refresh()
    }
  }

  document.addEventListener('click', (ev) => {
    const b = ev.target.closest('button')
    if (!b) return
    if (b.dataset.advance) {
      act(b, async () => `clock advanced: ${time((await post('/clock', { advanceMs: Number(b.dataset.advance) })).now)}`)
    } else if (b.dataset.pay) {
      const no = b.dataset.pay
      act(b, async () => `paid ${no}: transaction ${(await post(`/orders/${encodeURIComponent(no)}/pay${q({ mchid: b.dataset.mchid })}`)).transactionId}`)
    } else if (b.dataset.redeliver) {
      act(b, async () => {
        const d = (await post(`/notifications/${encodeURIComponent(b.dataset.redeliver)}/redeliver`)).delivery
        return `redelivered ${d.eventType}: ${d.status ? `HTTP ${d.status}` : d.error}${d.delivered ? '' : ' (not delivered)'}`
      })
    } else if (b.dataset.advanceApplyment) {
      const id = b.dataset.advanceApplyment
      const to = b.dataset.to
      const body = { to }
      if (to === 'REJECTED') {
        const input = $(`reason-${id}`)
        body.auditDetail = [{ param_name: 'id_card_copy', reject_reason: (input && input.value.trim()) || '资料不符合要求，请修改后重新提交' }]
      }
      // Approving and asking for signing walk the review's happy path (§1.4 has no jump from CHECKING);
      // a state already passed answers 409 and is skipped.
      const path = `/applyments/${encodeURIComponent(id)}/advance`
      const before = { FINISH: ['AUDITING', 'NEED_SIGN'], NEED_SIGN: ['AUDITING'] }[to] || []
      act(b, async () => {
        for (const step of before) {
          const res = await fetch(API + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: step }) })
          if (!res.ok && res.status !== 409) throw new Error(`HTTP ${res.status} moving to ${step}`)
        }
        const a = (await post(path, body)).applyment || {}
        return `applyment ${id}: ${a.state || to}`
      })
    }
  })

  refresh()
  setInterval(refresh, REFRESH_MS)
})()

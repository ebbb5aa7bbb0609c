// 联合指挥中心 dashboard: plain JavaScript, Apache ECharts (vendor/echarts.min.js) for the map and charts,
// live feed over server-sent events. All URLs are relative to /dashboard/ so the page works directly and
// behind the gateway.
(() => {
  'use strict';
  const API = '../api/command/v1';
  const TOKEN_KEY = 'grid_token';
  const REFRESH_KEY = 'grid_refresh_token';
  const DOMAINS = { fire: '消防', environment: '环保', labor: '劳动监察', drugs: '药品', cadre: '干部监督', comprehensive: '综合' };
  const STATES = { reported: '已上报', accepted: '已立案', dispatched: '已派遣', handling: '处置中', handled: '已反馈', verified: '已核查',
    closed: '已结案', reopened: '返工', transferred: '已移交', rejected: '不予立案', unknown: '待同步' };
  const SUMMONS = { pending: '待报到', reported: '已报到', late: '迟到', missed: '未到' };
  const COLOURS = { none: '#1d6f5a', open: '#c98a1b', overdue: '#c0392b' };
  // hierarchy: the organization's grid tree the map shows; chosen by the user, else the domain with most open cases.
  const state = { path: [], names: {}, departments: {}, hierarchy: null, hierarchyChosen: false, board: 'overdue', source: null, seen: new Set(), map: null, chart: null };
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) { if (k === 'class') e.className = v; else e.setAttribute(k, v); }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
    return e;
  };
  const cst = (iso) => iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';
  const pct = (v) => v == null ? '-' : (v * 100).toFixed(1) + '%';
  const domainName = (d) => DOMAINS[d] || d;
  const gridName = (id) => (id && state.names[id]) || id || '';
  const departmentName = (id) => (id && state.departments[id]) || id || '';
  const token = () => localStorage.getItem(TOKEN_KEY);
  const currentGrid = () => state.path.length ? state.path[state.path.length - 1] : null;
  const todayCst = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

  async function api(path) {
    let r = await fetch(`${API}${path}`, { headers: { Authorization: `Bearer ${token()}` } });
    // An access token lives 15 minutes: renew it once with the refresh token before asking the user to log in.
    if (r.status === 401 && await renew()) r = await fetch(`${API}${path}`, { headers: { Authorization: `Bearer ${token()}` } });
    if (r.status === 401) { showLogin(); throw new Error('unauthorized'); }
    if (!r.ok) throw new Error(`${path}: ${r.status}`);
    return r.json();
  }

  function claims() {
    try {
      const b64 = token().split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(b64.padEnd(b64.length + (4 - b64.length % 4) % 4, '=')), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch { return {}; }
  }

  // ---- login: the organization's token endpoint, OAuth password grant, then refresh-token grants ----
  const TOKEN_URL = '../api/org/v1/token';
  let renewTimer = null;
  let renewing = null;
  // The live feed and the download links cannot send a header; they carry the token as a cookie of the command
  // centre's API path, never in a URL (URLs end up in logs and history).
  function tokenCookie(value) {
    const api = new URL(`${API}/`, location.href).pathname.replace(/v1\/$/, '');
    document.cookie = `${TOKEN_KEY}=${value ?? ''}; Path=${api}; SameSite=Strict${location.protocol === 'https:' ? '; Secure' : ''}${value ? '' : '; Max-Age=0'}`;
  }
  function keep(body) {
    localStorage.setItem(TOKEN_KEY, body.access_token);
    tokenCookie(body.access_token);
    if (body.refresh_token) localStorage.setItem(REFRESH_KEY, body.refresh_token);
    scheduleRenew();
  }
  // Renew a minute before the access token expires (or at four fifths of a short lifetime), so a commander stays logged in.
  function scheduleRenew() {
    clearTimeout(renewTimer);
    const c = claims();
    if (!c.exp || !localStorage.getItem(REFRESH_KEY)) return;
    const left = c.exp * 1000 - Date.now();
    const lead = Math.min(60e3, left / 5);
    renewTimer = setTimeout(() => renew().catch(console.error), Math.max(0, left - lead));
  }
  // One renewal at a time: each refresh token is good once, and a second use would end the log-in.
  function renew() {
    const refresh = localStorage.getItem(REFRESH_KEY);
    if (!refresh) return Promise.resolve(false);
    renewing ??= (async () => {
      try {
        const r = await fetch(TOKEN_URL, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refresh }) });
        if (!r.ok) { localStorage.removeItem(REFRESH_KEY); return false; }
        keep(await r.json());
        if (state.source && state.source.readyState === EventSource.CLOSED) connectFeed();
        return true;
      } catch { return false; } finally { renewing = null; }
    })();
    return renewing;
  }
  function showLogin() { $('login').hidden = false; clearTimeout(renewTimer); if (state.source) { state.source.close(); state.source = null; } }
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('login-error').textContent = '';
    try {
      const r = await fetch(TOKEN_URL, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: $('username').value, password: $('password').value }) });
      if (!r.ok) { $('login-error').textContent = r.status === 401 ? '用户名或密码错误' : r.status === 429 ? '尝试次数过多，请稍后再试' : `登录失败 (${r.status})`; return; }
      keep(await r.json());
      $('password').value = '';
      $('login').hidden = true;
      start();
    } catch { $('login-error').textContent = '无法连接认证服务'; }
  });
  $('logout').addEventListener('click', () => {
    const refresh = localStorage.getItem(REFRESH_KEY);
    if (refresh) fetch(`${TOKEN_URL}/revoke`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: refresh }) }).catch(console.error);
    localStorage.removeItem(TOKEN_KEY); localStorage.removeItem(REFRESH_KEY); tokenCookie(null); showLogin();
  });

  // ---- summary ----
  const KPIS = ['kpi-open', 'kpi-overdue', 'kpi-escalated', 'kpi-listed', 'kpi-transfers', 'kpi-summons', 'kpi-late'];
  async function loadBoard() {
    const g = currentGrid();
    const b = await api(`/board${g ? `?grid=${encodeURIComponent(g)}` : ''}`);
    if (currentGrid() !== g) return;
    $('kpi-open').textContent = b.open; $('kpi-overdue').textContent = b.overdue; $('kpi-escalated').textContent = b.escalated;
    $('kpi-listed').textContent = b.listed; $('kpi-transfers').textContent = b.transfersInFlight;
    $('kpi-summons').textContent = b.summonsPending; $('kpi-late').textContent = b.summonsLate;
    const max = Math.max(1, ...b.byDomain.map((d) => d.count));
    $('by-domain').replaceChildren(...b.byDomain.map((d) => {
      const bar = el('i'); bar.style.width = `${Math.round(120 * d.count / max)}px`;
      return el('div', { class: 'bar', 'data-domain': d.key }, el('span', {}, domainName(d.key)), bar, el('span', {}, String(d.count)));
    }));
    if (!state.hierarchyChosen && !state.hierarchy) {
      const busiest = [...b.byDomain].sort((x, y) => y.count - x.count).find((d) => DOMAINS[d.key]);
      state.hierarchy = busiest ? busiest.key : 'comprehensive';
      $('hierarchy').value = state.hierarchy;
    }
  }

  // ---- map (ECharts, the organization's GeoJSON registered per view) ----
  const fillOf = (p) => p.overdue > 0 ? COLOURS.overdue : p.open > 0 ? COLOURS.open : COLOURS.none;

  async function loadMap() {
    const g = currentGrid();
    const q = new URLSearchParams({ hierarchy: state.hierarchy || 'comprehensive' });
    if (g) q.set('parent', g);
    const fc = await api(`/map?${q}`);
    if (currentGrid() !== g || (state.hierarchy || 'comprehensive') !== q.get('hierarchy')) return;
    const feats = fc.features || [];
    // ECharts matches regions by name: make the names of one view unique.
    const seen = new Map();
    for (const f of feats) {
      const p = f.properties;
      state.names[p.id] = p.name;
      const n = (seen.get(p.name) || 0) + 1;
      seen.set(p.name, n);
      p.label = n > 1 ? `${p.name} (${n})` : p.name;
      p.name = p.label;
    }
    $('map-title').textContent = g ? `${gridName(g)} 下级网格` : '辖区';
    $('map').dataset.count = String(feats.length);
    $('map-grids').dataset.hierarchy = q.get('hierarchy');
    $('map-grids').replaceChildren(...feats.map((f) => {
      const p = f.properties;
      const li = el('li', { 'data-grid': p.id, class: p.overdue > 0 ? 'overdue' : p.open > 0 ? 'open' : '', title: `${p.label}: 在办 ${p.open}, 超期 ${p.overdue}` },
        p.label, el('span', {}, `${p.open}/${p.overdue}`));
      li.addEventListener('click', () => drill(p));
      return li;
    }));
    const chart = state.map || (state.map = echarts.init($('map'), null, { renderer: 'canvas' }));
    if (!feats.length) {
      chart.clear();
      chart.setOption({ title: { text: '无下级网格边界', left: 'center', top: 'middle', textStyle: { color: '#8aa3c0', fontSize: 16 } } });
      return;
    }
    const mapName = `grid:${fc.hierarchy || ''}:${g || 'top'}`;
    echarts.registerMap(mapName, { type: 'FeatureCollection', features: feats });
    const byName = new Map(feats.map((f) => [f.properties.label, f.properties]));
    chart.setOption({
      tooltip: { trigger: 'item', formatter: (x) => { const p = byName.get(x.name); return p ? `${p.label}<br>在办 ${p.open} · 超期 ${p.overdue}` : x.name; } },
      series: [{
        type: 'map', map: mapName, roam: true, selectedMode: false,
        label: { show: true, color: '#fff', fontSize: 13, formatter: (x) => { const p = byName.get(x.name); return p ? `${p.label}\n${p.open}/${p.overdue}` : x.name; } },
        itemStyle: { borderColor: '#9cc3ec', borderWidth: 1 },
        emphasis: { label: { color: '#fff' }, itemStyle: { areaColor: '#2a6bb3' } },
        data: feats.map((f) => ({ name: f.properties.label, value: f.properties.open, id: f.properties.id, overdue: f.properties.overdue,
          hasChildren: !!f.properties.hasChildren, itemStyle: { areaColor: fillOf(f.properties) } })),
      }],
    }, true);
    chart.off('click');
    chart.on('click', (x) => { const p = byName.get(x.name); if (p) drill(p); });
  }

  function drill(p) {
    if (p.hasChildren === false) return;
    state.names[p.id] = p.name;
    state.path.push(p.id);
    refresh();
  }

  function crumbs() {
    const nav = $('crumbs');
    const top = el('a', { 'data-level': '0' }, '全辖区');
    top.addEventListener('click', () => { state.path = []; refresh(); });
    const parts = [top];
    state.path.forEach((id, i) => {
      parts.push(el('span', { class: 'sep' }, '›'));
      const a = el('a', { 'data-grid': id, 'data-level': String(i + 1) }, gridName(id));
      a.addEventListener('click', () => { state.path = state.path.slice(0, i + 1); refresh(); });
      parts.push(a);
    });
    nav.replaceChildren(...parts);
  }

  $('hierarchy').addEventListener('change', () => {
    state.hierarchy = $('hierarchy').value;
    state.hierarchyChosen = true;
    state.path = [];
    refresh();
  });

  // ---- indicators (this month, by child grid): chart and table ----
  async function loadIndicators() {
    const g = currentGrid();
    const rows = await api(`/indicators?groupBy=grid&period=month${g ? `&parent=${encodeURIComponent(g)}` : ''}`);
    if (currentGrid() !== g) return;
    const today = todayCst();
    $('indicators-range').textContent = `(本月 ${today.slice(0, 8)}01 至 ${today}, 按下级网格)`;
    const byKey = new Map();
    for (const r of rows) {
      if (r.name) state.names[r.key] = r.name;
      const a = byKey.get(r.key) || { key: r.key, due: 0, closed: 0, onTime: 0, breached: 0, handled: 0, reopened: 0 };
      a.due += r.due; a.closed += r.closed; a.onTime += r.closedOnTime; a.breached += r.breached; a.handled += r.handled; a.reopened += r.reopened;
      byKey.set(r.key, a);
    }
    const groups = [...byKey.values()].sort((x, y) => y.due - x.due).slice(0, 10);
    const rate = (a, b) => b ? a / b : null;
    for (const x of groups) {
      x.closeRate = rate(x.closed, x.due); x.onTimeRate = rate(x.onTime, x.due); x.reworkRate = rate(x.reopened, x.handled); x.breachRate = rate(x.breached, x.due);
    }
    $('indicators').replaceChildren(...table(['网格', '应结案', '已结案', '按期', '结案率', '按期结案率'], groups.map((x) =>
      ({ key: x.key, cells: [gridName(x.key), x.due, x.closed, x.onTime, pct(x.closeRate), pct(x.onTimeRate)] })), '本月暂无考核数据').children);
    const chart = state.chart || (state.chart = echarts.init($('chart'), null, { renderer: 'canvas' }));
    const series = [['结案率', 'closeRate', '#3fa7ff'], ['按期结案率', 'onTimeRate', '#2bb673'], ['返工率', 'reworkRate', '#f5a623'], ['延期率', 'breachRate', '#e5484d']];
    chart.setOption({
      legend: { textStyle: { color: '#8aa3c0' }, top: 0 },
      grid: { left: 46, right: 10, top: 30, bottom: 36 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => v == null ? '-' : `${v}%` },
      xAxis: { type: 'category', data: groups.map((x) => gridName(x.key)), axisLabel: { color: '#dbe7f5', interval: 0, overflow: 'truncate', width: 80 } },
      yAxis: { type: 'value', max: 100, axisLabel: { color: '#8aa3c0', formatter: '{value}%' }, splitLine: { lineStyle: { color: '#1f3d63' } } },
      series: series.map(([name, field, color]) => ({ name, type: 'bar', itemStyle: { color },
        data: groups.map((x) => x[field] == null ? null : Math.round(x[field] * 1000) / 10) })),
    }, true);
  }

  // ---- rankings (this month) ----
  async function loadRankings() {
    const g = currentGrid();
    const grids = await api(`/rankings?by=grid${g ? `&parent=${encodeURIComponent(g)}` : ''}`);
    // A refresh for the grid shown before (the live feed refreshes too) may answer last: it must not overwrite.
    if (currentGrid() !== g) return;
    for (const r of grids) if (r.name) state.names[r.key] = r.name;
    $('ranking').replaceChildren(...table(['名次', '网格', '得分', '按期结案率'], grids.slice(0, 10).map((r) =>
      ({ key: r.key, cells: [r.rank, gridName(r.key), { text: `${r.score} 分`, cls: 'score' }, pct(r.indicators.onTimeRate)] })), '本月暂无数据').children);
    const depts = await api('/rankings?by=department');
    for (const r of depts) if (r.name) state.departments[r.key] = r.name;
    $('dept-ranking').replaceChildren(...table(['名次', '部门', '得分', '迟到/未到'], depts.slice(0, 10).map((r) =>
      ({ key: r.key, cells: [r.rank, departmentName(r.key), { text: `${r.score} 分`, cls: 'score' }, r.summons ? r.summons.late + r.summons.missed : 0] })), '本月暂无数据').children);
  }

  // ---- boards ----
  const BOARD_URL = { overdue: '/overdue', supervision: '/supervision', escalated: '/escalated' };
  async function loadTable() {
    const g = currentGrid();
    const q = g ? `grid=${encodeURIComponent(g)}` : '';
    const exportBoard = state.board === 'summons' ? 'overdue' : state.board;
    $('export').href = `${API}/${exportBoard === 'escalated' ? 'cases' : exportBoard}/export?${q}${exportBoard === 'escalated' ? '&board=escalated' : ''}`;
    const month = todayCst().slice(0, 7);
    $('report').href = `${API}/reports/monthly?format=html&month=${month}${g ? `&grid=${encodeURIComponent(g)}` : ''}`;
    const board = $('board');
    if (state.board === 'summons') {
      const rows = await api('/summons');
      board.replaceChildren(table(['部门', '网格', '事由', '吹哨时间', '报到期限', '报到时间', '状态'], rows.map((s) => ({ key: s.summonsId, cells:
        [departmentName(s.departmentId), gridName(s.gridId), s.reason, cst(s.summonedAt), cst(s.reportBy), cst(s.reportedAt),
          { text: SUMMONS[s.status] || s.status, cls: s.status === 'late' || s.status === 'missed' ? 'bad' : '' }] }))));
      board.dataset.board = 'summons';
      return;
    }
    const page = await api(`${BOARD_URL[state.board]}?limit=50${q ? '&' + q : ''}`);
    Object.assign(state.names, page.gridNames || {});
    Object.assign(state.departments, page.departmentNames || {});
    board.replaceChildren(table(['案件编号', '领域', '网格', '标题', '状态', '办理期限', '责任部门', '超期', '上报/督办'], page.items.map((c) => ({ key: c.caseNumber, cells:
      [c.caseNumber, domainName(c.domain), gridName(c.gridId), c.title, STATES[c.state] || c.state, cst(c.dueAt), departmentName(c.department),
        { text: c.overdue ? `超期 ${c.breachCount || ''}`.trim() : '', cls: c.overdue ? 'bad' : '' },
        c.listedAt ? '挂牌督办' : c.escalationReason ? `上报 ${gridName(c.escalatedTo)}` : ''] }))));
    board.dataset.board = state.board;
  }

  function table(head, rows, empty = '暂无记录') {
    const t = el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const r of rows) {
      body.append(el('tr', { 'data-key': r.key ?? '' }, ...r.cells.map((c) => c && typeof c === 'object' ? el('td', { class: c.cls || '' }, c.text) : el('td', {}, c == null ? '' : String(c)))));
    }
    if (!rows.length) body.append(el('tr', {}, el('td', { colspan: String(head.length) }, empty)));
    t.append(body);
    return t;
  }

  document.querySelectorAll('.tabs button').forEach((b) => b.addEventListener('click', () => {
    document.querySelectorAll('.tabs button').forEach((x) => x.setAttribute('aria-selected', String(x === b)));
    state.board = b.dataset.board;
    loadTable().catch(console.error);
  }));

  // ---- live feed ----
  function connectFeed() {
    if (state.source) state.source.close();
    const source = new EventSource(`${API}/events/stream`);
    state.source = source;
    source.onopen = () => $('feed-status').classList.add('on');
    // A closed stream (its token expired at a reconnect) is opened again after the next renewal.
    source.onerror = () => { $('feed-status').classList.remove('on'); if (source.readyState === EventSource.CLOSED) renew().catch(console.error); };
    source.addEventListener('case', (ev) => {
      const item = JSON.parse(ev.data);
      if (state.seen.has(item.eventId)) return; // a redelivery after a failed commit
      state.seen.add(item.eventId);
      if (item.gridName) state.names[item.gridId] = item.gridName;
      const li = el('li', { 'data-case': item.caseNumber || '' }, el('span', { class: 't' }, cst(item.occurredAt)), el('span', { class: 'd' }, domainName(item.domain)),
        `${item.caseNumber ? item.caseNumber + ' ' : ''}${item.summary} · ${gridName(item.gridId)}`);
      const feed = $('feed');
      feed.prepend(li);
      while (feed.children.length > 100) feed.lastChild.remove();
      scheduleRefresh();
    });
  }

  let pending = null;
  function scheduleRefresh() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh(false); }, 500);
  }

  // A load that failed is tried again a little later, not left to the next event of the live feed.
  let retry = null;
  async function refresh(withCrumbs = true) {
    // A new scope (drill, breadcrumb, hierarchy): the board shows no numbers until its own have loaded, never those of
    // the scope before, should its load fail.
    if (withCrumbs) KPIS.forEach((id) => { $(id).textContent = '—'; });
    if (!state.hierarchy) await loadBoard().catch(console.error);
    const loads = await Promise.allSettled([loadBoard(), loadMap(), loadIndicators(), loadRankings(), loadTable()]);
    if (withCrumbs) crumbs();
    document.body.dataset.loaded = String(Date.now());
    if (loads.some((l) => l.status === 'rejected') && !retry) retry = setTimeout(() => { retry = null; refresh(false); }, 3000);
  }

  function start() {
    const c = claims();
    scheduleRenew();
    $('user').textContent = c.name || c.sub || '';
    connectFeed();
    refresh();
  }

  window.addEventListener('resize', () => { state.map?.resize(); state.chart?.resize(); });
  setInterval(() => { $('clock').textContent = cst(new Date().toISOString()); }, 1000);
  if (!token()) showLogin(); else { tokenCookie(token()); start(); }
})();

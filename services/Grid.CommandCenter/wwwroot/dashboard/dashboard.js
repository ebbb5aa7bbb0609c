// 联合指挥中心 dashboard: plain JavaScript, SVG map and charts, live feed over server-sent events.
// All URLs are relative to /dashboard/ so the page works directly and behind the gateway.
(() => {
  'use strict';
  const API = '../api/command/v1';
  const TOKEN_KEY = 'grid_token';
  const DOMAINS = { fire: '消防', environment: '环保', labor: '劳动监察', drugs: '药品', cadre: '干部监督', comprehensive: '综合' };
  const STATES = { reported: '已上报', accepted: '已立案', dispatched: '已派遣', handling: '处置中', handled: '已反馈', verified: '已核查',
    closed: '已结案', reopened: '返工', transferred: '已移交', rejected: '不予立案', unknown: '待同步' };
  const SUMMONS = { pending: '待报到', reported: '已报到', late: '迟到', missed: '未到' };
  const state = { path: [], names: {}, board: 'overdue', source: null, seen: new Set() };
  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) { if (k === 'class') e.className = v; else e.setAttribute(k, v); }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
    return e;
  };
  const svg = (tag, attrs = {}) => {
    const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    return e;
  };
  const cst = (iso) => iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';
  const pct = (v) => v == null ? '-' : (v * 100).toFixed(1) + '%';
  const domainName = (d) => DOMAINS[d] || d;
  const gridName = (id) => state.names[id] ? `${state.names[id]}` : id;
  const token = () => localStorage.getItem(TOKEN_KEY);
  const currentGrid = () => state.path.length ? state.path[state.path.length - 1] : null;

  async function api(path) {
    const r = await fetch(`${API}${path}`, { headers: { Authorization: `Bearer ${token()}` } });
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

  // ---- login ----
  function showLogin() { $('login').hidden = false; if (state.source) { state.source.close(); state.source = null; } }
  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    $('login-error').textContent = '';
    try {
      const r = await fetch('../api/org/v1/token', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: $('username').value, password: $('password').value }) });
      if (!r.ok) { $('login-error').textContent = r.status === 401 || r.status === 400 ? '用户名或密码错误' : `登录失败 (${r.status})`; return; }
      const body = await r.json();
      localStorage.setItem(TOKEN_KEY, body.access_token);
      $('login').hidden = true;
      start();
    } catch { $('login-error').textContent = '无法连接认证服务'; }
  });
  $('logout').addEventListener('click', () => { localStorage.removeItem(TOKEN_KEY); showLogin(); });

  // ---- summary ----
  async function loadBoard() {
    const g = currentGrid();
    const b = await api(`/board${g ? `?grid=${encodeURIComponent(g)}` : ''}`);
    $('kpi-open').textContent = b.open; $('kpi-overdue').textContent = b.overdue; $('kpi-escalated').textContent = b.escalated;
    $('kpi-listed').textContent = b.listed; $('kpi-transfers').textContent = b.transfersInFlight;
    $('kpi-summons').textContent = b.summonsPending; $('kpi-late').textContent = b.summonsLate;
    const max = Math.max(1, ...b.byDomain.map((d) => d.count));
    $('by-domain').replaceChildren(...b.byDomain.map((d) => {
      const bar = el('i'); bar.style.width = `${Math.round(120 * d.count / max)}px`;
      return el('div', { class: 'bar' }, el('span', {}, domainName(d.key)), bar, el('span', {}, String(d.count)));
    }));
  }

  // ---- map ----
  function rings(geometry) {
    if (!geometry) return [];
    if (geometry.type === 'Polygon') return geometry.coordinates;
    if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
    return [];
  }

  async function loadMap() {
    const g = currentGrid();
    const fc = await api(`/map${g ? `?parent=${encodeURIComponent(g)}` : ''}`);
    const map = $('map');
    map.replaceChildren();
    const feats = fc.features || [];
    feats.forEach((f) => { state.names[f.properties.id] = f.properties.name; });
    $('map-title').textContent = g ? `${gridName(g)} 下级网格` : '辖区';
    if (!feats.length) {
      const t = svg('text', { x: 400, y: 280 }); t.textContent = '无下级网格边界'; map.append(t); return;
    }
    const pts = feats.flatMap((f) => rings(f.geometry).flat());
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const k = Math.cos(((y0 + y1) / 2) * Math.PI / 180);
    const W = 800, H = 560, pad = 24;
    const s = Math.min((W - 2 * pad) / Math.max(1e-9, (x1 - x0) * k), (H - 2 * pad) / Math.max(1e-9, y1 - y0));
    const ox = (W - (x1 - x0) * k * s) / 2, oy = (H - (y1 - y0) * s) / 2;
    const px = (p) => [ox + (p[0] - x0) * k * s, oy + (y1 - p[1]) * s];
    for (const f of feats) {
      const p = f.properties;
      const d = rings(f.geometry).map((r) => 'M' + r.map((c) => px(c).map((v) => v.toFixed(1)).join(',')).join('L') + 'Z').join('');
      const fill = p.overdue > 0 ? '#c0392b' : p.open > 0 ? '#c98a1b' : '#1d6f5a';
      const path = svg('path', { d, fill, 'data-grid': p.id, 'fill-opacity': '0.75' });
      const title = svg('title'); title.textContent = `${p.name}: 在办 ${p.open}, 超期 ${p.overdue}`; path.append(title);
      path.addEventListener('click', () => drill(p.id, p.name));
      map.append(path);
      const all = rings(f.geometry)[0] || [];
      const c = px([all.reduce((a, q) => a + q[0], 0) / Math.max(1, all.length), all.reduce((a, q) => a + q[1], 0) / Math.max(1, all.length)]);
      const label = svg('text', { x: c[0].toFixed(1), y: c[1].toFixed(1) });
      label.textContent = `${p.name} ${p.open}/${p.overdue}`;
      map.append(label);
    }
  }

  function drill(id, name) {
    state.names[id] = name;
    state.path.push(id);
    refresh();
  }

  function crumbs() {
    const nav = $('crumbs');
    const top = el('a', { 'data-level': '0' }, '全辖区');
    top.addEventListener('click', () => { state.path = []; refresh(); });
    const parts = [top];
    state.path.forEach((id, i) => {
      parts.push(el('span', { class: 'sep' }, '›'));
      const a = el('a', { 'data-grid': id }, gridName(id));
      a.addEventListener('click', () => { state.path = state.path.slice(0, i + 1); refresh(); });
      parts.push(a);
    });
    nav.replaceChildren(...parts);
  }

  // ---- indicators chart ----
  async function loadIndicators() {
    const g = currentGrid();
    const now = new Date(Date.now() + 8 * 3600e3);
    const from = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
    const rows = await api(`/indicators?groupBy=grid&period=month&from=${from}${g ? `&parent=${encodeURIComponent(g)}` : ''}`);
    const byKey = new Map();
    for (const r of rows) {
      const a = byKey.get(r.key) || { key: r.key, name: r.name, due: 0, closed: 0, onTime: 0, breached: 0, handled: 0, reopened: 0 };
      a.due += r.due; a.closed += r.closed; a.onTime += r.closedOnTime; a.breached += r.breached; a.handled += r.handled; a.reopened += r.reopened;
      byKey.set(r.key, a);
    }
    const groups = [...byKey.values()].slice(0, 8);
    const chart = $('chart');
    chart.replaceChildren();
    const W = 900, H = 240, left = 40, bottom = 30, top = 10;
    const ih = H - bottom - top;
    for (let i = 0; i <= 4; i++) {
      const y = top + ih - ih * i / 4;
      chart.append(svg('line', { x1: left, x2: W - 6, y1: y, y2: y, stroke: '#1f3d63' }));
      const t = svg('text', { x: 4, y: y + 4 }); t.textContent = `${i * 25}%`; chart.append(t);
    }
    if (!groups.length) { const t = svg('text', { x: 220, y: 120 }); t.textContent = '本月暂无考核数据'; chart.append(t); return; }
    const colors = ['#3fa7ff', '#2bb673', '#f5a623', '#e5484d'];
    const gw = (W - left - 10) / groups.length;
    const bw = Math.min(28, gw / 5);
    groups.forEach((g2, i) => {
      const rates = [g2.due ? g2.closed / g2.due : 0, g2.due ? g2.onTime / g2.due : 0, g2.handled ? g2.reopened / g2.handled : 0, g2.due ? g2.breached / g2.due : 0];
      rates.forEach((v, j) => {
        const h = ih * Math.min(1, v);
        const r = svg('rect', { x: left + i * gw + (gw - 4 * bw) / 2 + j * bw, y: top + ih - h, width: bw - 2, height: h, fill: colors[j] });
        const tt = svg('title'); tt.textContent = `${g2.name || gridName(g2.key)} ${['结案率', '按期结案率', '返工率', '延期率'][j]} ${pct(v)}`; r.append(tt);
        chart.append(r);
      });
      const label = svg('text', { x: left + i * gw + gw / 2, y: H - bottom + 16, 'text-anchor': 'middle' });
      label.textContent = g2.name || gridName(g2.key);
      chart.append(label);
    });
  }

  // ---- rankings ----
  async function loadRankings() {
    const g = currentGrid();
    const now = new Date(Date.now() + 8 * 3600e3);
    const from = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}-01`;
    const grids = await api(`/rankings?by=grid&from=${from}${g ? `&parent=${encodeURIComponent(g)}` : ''}`);
    $('ranking').replaceChildren(...grids.slice(0, 8).map((r) =>
      el('li', {}, el('b', {}, r.name || gridName(r.key)), el('span', {}, `${r.score} 分 · 按期 ${pct(r.indicators.onTimeRate)}`))));
    if (!grids.length) $('ranking').replaceChildren(el('li', {}, el('b', {}, '本月暂无数据')));
    const depts = await api(`/rankings?by=department&from=${from}`);
    $('dept-ranking').replaceChildren(...depts.slice(0, 8).map((r) =>
      el('li', {}, el('b', {}, r.key), el('span', {}, `${r.score} 分${r.summons && (r.summons.late + r.summons.missed) ? ` · 迟到/未到 ${r.summons.late + r.summons.missed}` : ''}`))));
    if (!depts.length) $('dept-ranking').replaceChildren(el('li', {}, el('b', {}, '本月暂无数据')));
  }

  // ---- boards ----
  const BOARD_URL = { overdue: '/overdue', supervision: '/supervision', escalated: '/escalated' };
  async function loadTable() {
    const g = currentGrid();
    const q = g ? `grid=${encodeURIComponent(g)}` : '';
    const exportBoard = state.board === 'summons' ? 'overdue' : state.board;
    $('export').href = `${API}/${exportBoard === 'escalated' ? 'cases' : exportBoard}/export?${q}${exportBoard === 'escalated' ? '&board=escalated' : ''}&access_token=${encodeURIComponent(token())}`;
    const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
    $('report').href = `${API}/reports/monthly?format=html&month=${month}${g ? `&grid=${encodeURIComponent(g)}` : ''}&access_token=${encodeURIComponent(token())}`;
    const board = $('board');
    if (state.board === 'summons') {
      const rows = await api('/summons');
      board.replaceChildren(table(['部门', '网格', '事由', '吹哨时间', '报到期限', '报到时间', '状态'], rows.map((s) =>
        [s.departmentId, gridName(s.gridId), s.reason, cst(s.summonedAt), cst(s.reportBy), cst(s.reportedAt), { text: SUMMONS[s.status] || s.status, bad: s.status === 'late' || s.status === 'missed' }])));
      board.dataset.board = 'summons';
      return;
    }
    const page = await api(`${BOARD_URL[state.board]}?limit=50${q ? '&' + q : ''}`);
    Object.assign(state.names, page.gridNames || {});
    board.replaceChildren(table(['案件编号', '领域', '网格', '标题', '状态', '办理期限', '责任部门', '超期', '上报/督办'], page.items.map((c) =>
      [c.caseNumber, domainName(c.domain), gridName(c.gridId), c.title, STATES[c.state] || c.state, cst(c.dueAt), c.department,
        { text: c.overdue ? `超期 ${c.breachCount || ''}`.trim() : '', bad: c.overdue },
        c.listedAt ? '挂牌督办' : c.escalationReason ? `上报 ${gridName(c.escalatedTo)}` : ''])));
    board.dataset.board = state.board;
  }

  function table(head, rows) {
    const t = el('table', {}, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const r of rows) body.append(el('tr', {}, ...r.map((c) => c && typeof c === 'object' ? el('td', { class: c.bad ? 'bad' : '' }, c.text) : el('td', {}, c ?? ''))));
    if (!rows.length) body.append(el('tr', {}, el('td', { colspan: String(head.length) }, '暂无记录')));
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
    const source = new EventSource(`${API}/events/stream?access_token=${encodeURIComponent(token())}`);
    state.source = source;
    source.onopen = () => $('feed-status').classList.add('on');
    source.onerror = () => $('feed-status').classList.remove('on');
    source.addEventListener('case', (ev) => {
      const item = JSON.parse(ev.data);
      if (state.seen.has(item.eventId)) return; // a redelivery after a failed commit
      state.seen.add(item.eventId);
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

  async function refresh(withCrumbs = true) {
    if (withCrumbs) crumbs();
    await Promise.allSettled([loadBoard(), loadMap(), loadIndicators(), loadRankings(), loadTable()]);
    document.body.dataset.loaded = String(Date.now());
  }

  function start() {
    const c = claims();
    $('user').textContent = c.name || c.sub || '';
    connectFeed();
    refresh();
  }

  setInterval(() => { $('clock').textContent = cst(new Date().toISOString()); }, 1000);
  if (!token()) showLogin(); else start();
})();

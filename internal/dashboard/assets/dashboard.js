// Vitrine's ratings dashboard. A plain script (no build step): it reads the page's controls,
// runs the documents the server embedded in data-queries against the public GraphQL endpoint,
// and draws each answer twice — a Chart.js chart and an accessible table with the raw values
// (data-value), which are also what "Download CSV" writes.
(function () {
  'use strict';

  const body = document.body;
  const endpoint = new URL(body.dataset.endpoint, location.href);
  const queries = JSON.parse(body.dataset.queries);
  const REFRESH_MS = 60 * 1000;
  const $ = (id) => document.getElementById(id);

  // ---- GraphQL over GET, so browser and CDN caches apply the API's Cache-Control ----

  // fresh revalidates with the server (If-None-Match) instead of taking a cached answer: a
  // refresh asks because the numbers may have changed within the answer's max-age.
  async function gql(name, variables, fresh) {
    const url = new URL(endpoint);
    url.searchParams.set('query', queries[name]);
    url.searchParams.set('variables', JSON.stringify(variables));
    const res = await fetch(url, { cache: fresh ? 'no-cache' : 'default', headers: { Accept: 'application/graphql-response+json, application/json' } });
    let payload;
    try {
      payload = await res.json();
    } catch (e) {
      throw new Error('the server answered HTTP ' + res.status);
    }
    if (payload.errors && payload.errors.length) {
      const e = payload.errors[0];
      const code = e.extensions && e.extensions.code;
      throw new Error(code ? e.message + ' (' + code + ')' : e.message);
    }
    return payload.data;
  }

  // ---- Calendar dates in an IANA time zone, with Intl only ----

  const partFormats = new Map();
  function partsIn(ms, tz) {
    let f = partFormats.get(tz);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
        hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
      partFormats.set(tz, f);
    }
    const p = {};
    for (const { type, value } of f.formatToParts(ms)) p[type] = Number(value);
    return p;
  }
  // offset is tz's distance from UTC at instant ms.
  function offset(ms, tz) {
    const p = partsIn(ms, tz);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  }
  // midnight is the instant local date d starts in tz; the second pass settles DST edges.
  function midnight(d, tz) {
    const wall = Date.UTC(d.y, d.m - 1, d.d);
    const first = wall - offset(wall, tz);
    return new Date(wall - offset(first, tz));
  }
  function dateOf(utcMs) {
    const t = new Date(utcMs);
    return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
  }
  const addDays = (d, n) => dateOf(Date.UTC(d.y, d.m - 1, d.d + n));
  const addMonths = (d, n) => dateOf(Date.UTC(d.y, d.m - 1 + n, d.d));
  const todayIn = (tz) => { const p = partsIn(Date.now(), tz); return { y: p.year, m: p.month, d: p.day }; };
  const isoDate = (d) => String(d.y).padStart(4, '0') + '-' + String(d.m).padStart(2, '0') + '-' + String(d.d).padStart(2, '0');
  const parseDate = (s) => { const [y, m, d] = s.split('-').map(Number); return { y, m, d }; };

  // range turns the picker into [from, to) instants: presets end with today (in tz) and start
  // N days before; 12 months start on the first of the month, so every month bucket but the
  // current one is whole. Custom dates are inclusive.
  function range(st) {
    const today = todayIn(st.tz);
    let from, to = addDays(today, 1);
    switch (st.range) {
      case '7d': from = addDays(today, -6); break;
      case '90d': from = addDays(today, -89); break;
      case '12m': from = addMonths({ y: today.y, m: today.m, d: 1 }, -11); break;
      case 'custom': from = parseDate(st.from); to = addDays(parseDate(st.to), 1); break;
      default: from = addDays(today, -29);
    }
    return { from: midnight(from, st.tz).toISOString(), to: midnight(to, st.tz).toISOString() };
  }
  function defaultBucket(st) {
    const days = { '7d': 7, '30d': 30, '90d': 90, '12m': 366 }[st.range] ||
      (Date.UTC(...ymd(st.to)) - Date.UTC(...ymd(st.from))) / 864e5;
    return days <= 62 ? 'DAY' : days <= 731 && st.range !== '12m' ? 'WEEK' : 'MONTH';
  }
  const ymd = (s) => { const d = parseDate(s); return [d.y, d.m - 1, d.d]; };

  const labelFormats = { DAY: { month: 'short', day: 'numeric' }, WEEK: { month: 'short', day: 'numeric' }, MONTH: { month: 'short', year: 'numeric' } };
  function bucketLabel(iso, st) {
    const s = new Intl.DateTimeFormat(undefined, Object.assign({ timeZone: st.tz }, labelFormats[st.bucket])).format(new Date(iso));
    return st.bucket === 'WEEK' ? 'wk ' + s : s;
  }
  const localDate = (iso, tz) => { const p = partsIn(Date.parse(iso), tz); return isoDate({ y: p.year, m: p.month, d: p.day }); };

  // ---- State, kept in the URL so a view can be shared ----

  const browserTZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const state = readURL();
  function readURL() {
    const q = new URLSearchParams(location.search);
    const st = { range: q.get('range') || '30d', from: q.get('from') || '', to: q.get('to') || '', tz: q.get('tz') || browserTZ, bucket: q.get('bucket') || '', scope: { kind: 'catalog' } };
    const scope = (q.get('scope') || '').match(/^(category|product):(.+)$/);
    if (scope) st.scope = { kind: scope[1], id: scope[2], name: '' };
    if (st.range === 'custom' && !(st.from && st.to)) st.range = '30d';
    if (!st.bucket) st.bucket = defaultBucket(st);
    return st;
  }
  function writeURL() {
    const q = new URLSearchParams();
    if (state.scope.kind !== 'catalog') q.set('scope', state.scope.kind + ':' + state.scope.id);
    q.set('range', state.range);
    if (state.range === 'custom') { q.set('from', state.from); q.set('to', state.to); }
    q.set('bucket', state.bucket);
    q.set('tz', state.tz);
    history.replaceState(null, '', '?' + q);
  }
  function filterOf(st, ranged) {
    const f = ranged ? range(st) : {};
    if (st.scope.kind === 'category') f.categoryID = st.scope.id;
    if (st.scope.kind === 'product') f.productID = st.scope.id;
    return f;
  }

  // ---- Number formats: tables keep raw values in data-value, cells show rounded ones ----

  const int = new Intl.NumberFormat();
  const avg = (v) => (v == null ? '–' : v.toFixed(2));
  const STARS = ['1★', '2★', '3★', '4★', '5★'];
  const COLORS = { bar: '#4f7cac', line: '#d9822b', bars5: ['#c0392b', '#e67e22', '#f1c40f', '#7fb800', '#2e8b57'] };

  // ---- The charts: what each runs, draws and tabulates ----

  const charts = [
    {
      id: 'distribution', title: 'Rating distribution', query: 'rating-stats', ranged: true,
      variables: (st) => ({ filter: filterOf(st, true) }),
      toRows: (d) => d.ratingStats.distribution.map((n, i) => ({ stars: i + 1, count: n })),
      columns: [{ key: 'stars', label: 'Stars', show: (v) => v + '★' }, { key: 'count', label: 'Ratings', num: true }],
      summary: (d) => int.format(d.ratingStats.count) + ' ratings · average ' + avg(d.ratingStats.average),
      chart: (rows) => ({
        type: 'bar',
        data: { labels: STARS, datasets: [{ label: 'Ratings', data: rows.map((r) => r.count), backgroundColor: COLORS.bars5 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    },
    {
      id: 'rating-trend', title: 'Rating trend', query: 'rating-trend', ranged: true,
      variables: (st) => ({ bucket: st.bucket, filter: filterOf(st, true), timeZone: st.tz }),
      toRows: (d) => d.ratingTrend.map((p) => ({ start: p.start, count: p.count, average: p.average })),
      columns: [{ key: 'start', label: 'Bucket start', show: (v, st) => localDate(v, st.tz) }, { key: 'count', label: 'Ratings', num: true }, { key: 'average', label: 'Average', num: true, show: avg }],
      chart: (rows, st) => ({
        data: {
          labels: rows.map((r) => bucketLabel(r.start, st)),
          datasets: [
            { type: 'line', label: 'Average ★', data: rows.map((r) => r.average), yAxisID: 'stars', borderColor: COLORS.line, backgroundColor: COLORS.line, spanGaps: true, pointRadius: 2 },
            { type: 'bar', label: 'Ratings', data: rows.map((r) => r.count), yAxisID: 'count', backgroundColor: COLORS.bar },
          ],
        },
        options: { scales: { count: { position: 'left', beginAtZero: true, ticks: { precision: 0 } }, stars: { position: 'right', min: 1, max: 5, grid: { drawOnChartArea: false } } } },
      }),
    },
    {
      id: 'review-trend', title: 'Review trend', query: 'review-trend', ranged: true,
      variables: (st) => ({ bucket: st.bucket, filter: filterOf(st, true), timeZone: st.tz }),
      toRows: (d) => d.reviewTrend.map((p) => ({ start: p.start, count: p.count })),
      columns: [{ key: 'start', label: 'Bucket start', show: (v, st) => localDate(v, st.tz) }, { key: 'count', label: 'Reviews', num: true }],
      chart: (rows, st) => ({
        type: 'bar',
        data: { labels: rows.map((r) => bucketLabel(r.start, st)), datasets: [{ label: 'Reviews', data: rows.map((r) => r.count), backgroundColor: COLORS.bar }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
    },
    {
      id: 'top-rated', title: 'Top-rated products', query: 'top-rated', ranged: false,
      note: 'All time, at least 5 ratings. Ranked by a damped average, score = (10 × m + Σ★) / (10 + n), where m is the mean rating of the scope and n the product\'s ratings: a product with few ratings is pulled toward the mean, so three 5★ ratings do not top the chart.',
      variables: (st) => (st.scope.kind === 'product' ? null : { categoryID: st.scope.kind === 'category' ? st.scope.id : null, first: 10, minRatings: 5 }),
      toRows: (d) => d.topRatedProducts.map((p, i) => ({ rank: i + 1, product: p.product.name, id: p.product.id, score: p.score, average: p.average, count: p.count })),
      columns: [{ key: 'rank', label: '#', num: true }, { key: 'product', label: 'Product' }, { key: 'score', label: 'Score', num: true, show: avg }, { key: 'average', label: 'Average', num: true, show: avg }, { key: 'count', label: 'Ratings', num: true }],
      chart: (rows) => ({
        type: 'bar',
        data: { labels: rows.map((r) => r.product), datasets: [{ label: 'Score', data: rows.map((r) => r.score), backgroundColor: COLORS.bar }] },
        // Scores cluster near the mean: start the axis at 3 unless a score is lower.
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { min: Math.min(3, Math.floor(Math.min(5, ...rows.map((r) => r.score)))), max: 5 }, y: { ticks: { callback(v) { const s = this.getLabelForValue(v); return s.length > 22 ? s.slice(0, 21) + '…' : s; } } } } },
      }),
    },
    {
      id: 'categories', title: 'Category comparison', query: 'category-stats', ranged: false, tableOnly: true,
      note: 'All time, each category with its subcategories. Sort by any column; open a category to look inside it.',
      variables: (st) => (st.scope.kind === 'product' ? null : { parentID: st.scope.kind === 'category' ? st.scope.id : null }),
      toRows: (d) => d.categoryStats.map((c) => ({ category: c.category.name, id: c.category.id, productCount: c.productCount, ratingCount: c.ratingCount, averageRating: c.averageRating, reviewCount: c.reviewCount })),
      columns: [{ key: 'category', label: 'Category', drill: true }, { key: 'productCount', label: 'Products', num: true }, { key: 'ratingCount', label: 'Ratings', num: true }, { key: 'averageRating', label: 'Average', num: true, show: avg }, { key: 'reviewCount', label: 'Reviews', num: true }],
      empty: 'No subcategories here.',
    },
  ];

  // ---- Cards ----

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    e.append(...children);
    return e;
  }

  function buildCard(c) {
    const card = el('section', { class: 'card' + (c.tableOnly ? ' wide' : ''), id: 'card-' + c.id, 'aria-labelledby': 'h-' + c.id, 'data-state': 'loading' });
    c.el = {
      card,
      summary: el('p', { class: 'summary' }),
      error: el('p', { class: 'error', role: 'alert', hidden: '' }),
      table: el('table', { id: 'table-' + c.id }, el('caption', { text: c.title })),
      code: el('code'),
      copy: el('button', { type: 'button', class: 'copy', text: 'Copy query' }),
      csv: el('button', { type: 'button', class: 'csv', text: 'Download CSV' }),
    };
    card.append(el('h2', { id: 'h-' + c.id, text: c.title }));
    if (c.note) card.append(el('p', { class: 'note', text: c.note }));
    card.append(c.el.summary, c.el.error);
    const wrap = el('div', { class: 'table-wrap' }, c.el.table);
    if (c.tableOnly) {
      card.append(wrap);
    } else {
      c.el.canvas = el('canvas', { role: 'img', 'aria-label': c.title });
      card.append(el('div', { class: 'chart' }, c.el.canvas), el('details', { class: 'table' }, el('summary', { text: 'Table' }), wrap));
    }
    card.append(el('div', { class: 'actions' }, c.el.copy, c.el.csv),
      el('details', { class: 'query' }, el('summary', { text: 'Query' }), el('p', { class: 'hint', text: 'The values this chart ran with are the variables\' defaults: paste it into the playground as it is, or pass your own variables.' }), el('pre', {}, c.el.code)));
    c.el.copy.addEventListener('click', () => copyQuery(c));
    c.el.csv.addEventListener('click', () => downloadCSV(c));
    c.sort = null;
    return card;
  }

  async function loadCard(c, st, gen, fresh) {
    const vars = c.variables(st);
    const card = c.el.card;
    if (!vars) {
      card.dataset.state = 'na';
      card.hidden = true;
      return;
    }
    card.hidden = false;
    card.dataset.state = 'loading';
    try {
      const data = await gql(c.query, vars, fresh);
      if (gen !== loadSeq) return; // a newer view replaced this one
      c.rowsNow = c.toRows(data);
      c.ran = { vars, doc: runnable(queries[c.query], vars) };
      render(c, data, st);
      card.dataset.variables = JSON.stringify(vars);
      card.dataset.state = 'ready';
      c.el.error.hidden = true;
    } catch (e) {
      if (gen !== loadSeq) return;
      card.dataset.state = 'error';
      c.el.error.hidden = false;
      c.el.error.textContent = 'Could not load: ' + e.message;
    }
  }

  function render(c, data, st) {
    c.el.summary.textContent = c.summary ? c.summary(data) : '';
    c.el.code.textContent = c.ran.doc;
    renderTable(c, st);
    if (c.tableOnly) return;
    const cfg = c.chart(c.rowsNow, st);
    cfg.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, cfg.options);
    if (c.instance) c.instance.destroy();
    c.instance = new Chart(c.el.canvas, cfg);
    c.el.canvas.setAttribute('aria-label', c.title + ': ' + c.rowsNow.slice(0, 12).map((r) => c.columns.map((col) => show(col, r[col.key], st)).join(' ')).join('; ') + (c.rowsNow.length > 12 ? '; … (see the table)' : ''));
  }

  const show = (col, v, st) => (col.show ? col.show(v, st) : col.num ? int.format(v) : String(v));

  function renderTable(c, st) {
    const t = c.el.table;
    t.querySelectorAll('thead, tbody').forEach((n) => n.remove());
    let rows = c.rowsNow;
    if (c.sort) {
      const { key, dir } = c.sort;
      rows = rows.slice().sort((a, b) => {
        const x = a[key], y = b[key];
        if (x == null || y == null) return (x == null) - (y == null); // empty values last
        return (typeof x === 'string' ? x.localeCompare(y) : x - y) * dir;
      });
    }
    const head = el('tr');
    for (const col of c.columns) {
      const th = el('th', { scope: 'col', 'data-key': col.key, class: col.num ? 'num' : '' });
      if (c.tableOnly) {
        const sorted = c.sort && c.sort.key === col.key;
        th.setAttribute('aria-sort', sorted ? (c.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
        const b = el('button', { type: 'button', text: col.label + (sorted ? (c.sort.dir > 0 ? ' ▲' : ' ▼') : '') });
        b.addEventListener('click', () => {
          c.sort = { key: col.key, dir: sorted ? -c.sort.dir : col.num ? -1 : 1 };
          renderTable(c, st);
        });
        th.append(b);
      } else {
        th.textContent = col.label;
      }
      head.append(th);
    }
    const tbody = el('tbody');
    for (const r of rows) {
      const tr = el('tr', r.id ? { 'data-id': r.id } : {});
      for (const col of c.columns) {
        const td = el('td', { 'data-key': col.key, 'data-value': r[col.key] == null ? '' : String(r[col.key]), class: col.num ? 'num' : '' });
        if (col.drill) {
          const b = el('button', { type: 'button', class: 'link', text: r[col.key], 'aria-label': 'Look inside ' + r[col.key] });
          b.addEventListener('click', () => setScope({ kind: 'category', id: r.id, name: r[col.key] }));
          td.append(b);
        } else {
          td.textContent = show(col, r[col.key], st);
        }
        tr.append(td);
      }
      tbody.append(tr);
    }
    if (!rows.length) tbody.append(el('tr', {}, el('td', { colspan: String(c.columns.length), class: 'empty', text: c.empty || 'Nothing in this range.' })));
    t.append(el('thead', {}, head), tbody);
  }

  // ---- Copy query and CSV ----

  // runnable returns doc with the values it ran with written as its variables' defaults: a
  // document that runs as it is in the playground, and still takes variables from a client.
  function runnable(doc, vars) {
    return doc.replace(/\$(\w+)\s*:\s*([\w!\[\]]+)/g, (m, name, type) =>
      vars[name] == null ? m : '$' + name + ': ' + type + ' = ' + literal(vars[name], /TrendBucket/.test(type)));
  }
  function literal(v, isEnum) {
    if (v == null) return 'null';
    if (Array.isArray(v)) return '[' + v.map((x) => literal(x, isEnum)).join(', ') + ']';
    if (typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => k + ': ' + literal(x, false)).join(', ') + '}';
    if (typeof v === 'string') return isEnum ? v : JSON.stringify(v);
    return String(v);
  }

  async function copyQuery(c) {
    if (!c.ran) return;
    const b = c.el.copy;
    try {
      await navigator.clipboard.writeText(c.ran.doc);
      b.textContent = 'Copied ✓';
    } catch (e) {
      // No clipboard (an insecure origin, or permission refused): show the text to copy by hand.
      const d = c.el.card.querySelector('details.query');
      d.open = true;
      getSelection().selectAllChildren(c.el.code);
      b.textContent = 'Select and copy';
    }
    setTimeout(() => { b.textContent = 'Copy query'; }, 2000);
  }

  function downloadCSV(c) {
    if (!c.rowsNow) return;
    const esc = (v) => { const s = v == null ? '' : String(v); return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
    const lines = [c.columns.map((col) => esc(col.label))].concat(c.rowsNow.map((r) => c.columns.map((col) => esc(r[col.key]))));
    const a = el('a', { download: c.id + '.csv' });
    a.href = URL.createObjectURL(new Blob([lines.map((l) => l.join(',')).join('\r\n') + '\r\n'], { type: 'text/csv' }));
    body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  // ---- Loading ----

  let loadSeq = 0;
  async function load(fresh) {
    const gen = ++loadSeq;
    const st = JSON.parse(JSON.stringify(state));
    writeURL();
    body.dataset.state = 'loading';
    $('status').textContent = 'Loading…';
    await Promise.all(charts.map((c) => loadCard(c, st, gen, fresh === true)));
    if (gen !== loadSeq) return;
    body.dataset.generation = String(gen);
    body.dataset.state = 'ready';
    const r = range(st);
    $('status').textContent = localDate(r.from, st.tz) + ' to ' + localDate(new Date(Date.parse(r.to) - 1).toISOString(), st.tz) + ' in ' + st.tz + ' · updated ' + new Date().toLocaleTimeString() + (liveOn() ? ' · live' : '');
  }

  // ---- Live: one graphql-transport-ws socket on the same endpoint ----
  // The page subscribes to ratingStatsChanged for its scope and reloads the view on each event
  // (the server sends at most one per VITRINE_LIVE_AGGREGATE_INTERVAL). While the socket is
  // down the minute timer refreshes instead; it reconnects with backoff, and closes while the
  // page is hidden.

  const live = { ws: null, sub: null, seq: 0, retry: 0, timer: 0, debounce: 0 };
  const liveOn = () => live.sub !== null;
  const send = (m) => live.ws.send(JSON.stringify(m));
  function setLive(on) { body.dataset.live = on ? 'on' : 'off'; }

  function liveSubscribe() {
    if (!live.ws || live.ws.readyState !== WebSocket.OPEN || !live.acked) return;
    if (live.sub) send({ id: live.sub, type: 'complete' });
    const s = state.scope;
    live.sub = String(++live.seq);
    send({ id: live.sub, type: 'subscribe', payload: { query: queries['rating-stats-changed'], variables: { scope: s.kind === 'catalog' ? null : s.kind === 'category' ? { categoryID: s.id } : { productID: s.id } } } });
    setLive(true);
  }

  function liveConnect() {
    clearTimeout(live.timer);
    if (live.ws || document.hidden) return;
    const url = new URL(endpoint);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, 'graphql-transport-ws');
    Object.assign(live, { ws, sub: null, acked: false });
    ws.onopen = () => { if (live.ws === ws) send({ type: 'connection_init' }); };
    ws.onmessage = (e) => {
      if (live.ws !== ws) return; // closed on purpose, a message was still on its way
      const m = JSON.parse(e.data);
      if (m.type === 'connection_ack') { live.acked = true; live.retry = 0; liveSubscribe(); }
      else if (m.type === 'ping') send({ type: 'pong' });
      else if (m.id !== live.sub) return; // an event of the scope shown before
      else if (m.type === 'next' && m.payload && m.payload.data) refreshSoon();
      // The server refused (an error, or gqlgen's next with errors only) or ended the
      // subscription: the timer refreshes until the scope changes.
      else { live.sub = null; setLive(false); }
    };
    ws.onclose = () => {
      if (live.ws !== ws) return; // closed on purpose
      live.ws = live.sub = null;
      setLive(false);
      live.timer = setTimeout(liveConnect, Math.min(60000, 1000 * 2 ** live.retry++) * (0.5 + Math.random() / 2));
    };
  }

  function liveClose() {
    clearTimeout(live.timer);
    if (live.ws) { const ws = live.ws; live.ws = live.sub = null; ws.close(1000); }
    setLive(false);
  }

  function refreshSoon() {
    if (!$('autorefresh').checked) return;
    clearTimeout(live.debounce);
    live.debounce = setTimeout(() => load(true), 300);
  }

  document.addEventListener('visibilitychange', () => {
    if (document.hidden) { liveClose(); return; }
    liveConnect();
    load(true); // catch up with what changed while hidden
  });
  addEventListener('pagehide', liveClose);
  addEventListener('pageshow', (e) => { if (e.persisted) { liveConnect(); load(true); } }); // back from the bfcache

  // ---- Controls ----

  let categories = new Map();
  async function loadCategories() {
    const list = [];
    let after = null;
    do {
      const d = await gql('categories', { after });
      for (const e of d.categories.edges) list.push(e.node);
      after = d.categories.pageInfo.hasNextPage ? d.categories.pageInfo.endCursor : null;
    } while (after);
    categories = new Map(list.map((c) => [c.id, c]));
    const children = new Map();
    for (const c of list) {
      const k = c.parentID && categories.has(c.parentID) ? c.parentID : '';
      if (!children.has(k)) children.set(k, []);
      children.get(k).push(c);
    }
    const select = $('category');
    const walk = (parent, depth) => {
      for (const c of (children.get(parent) || []).sort((a, b) => a.name.localeCompare(b.name))) {
        select.append(el('option', { value: c.id, text: '\u00a0\u00a0'.repeat(depth) + c.name }));
        walk(c.id, depth + 1);
      }
    };
    walk('', 0);
  }

  function pathOf(id) {
    const names = [];
    for (let c = categories.get(id); c; c = categories.get(c.parentID)) names.unshift(c.name);
    return names;
  }

  function showScope() {
    const p = $('scope-path');
    p.replaceChildren();
    const s = state.scope;
    $('category').value = s.kind === 'category' ? s.id : '';
    if (s.kind === 'catalog') {
      p.textContent = 'Showing the whole catalog.';
      return;
    }
    p.append(s.kind === 'category' ? 'Showing ' + ['Catalog'].concat(pathOf(s.id)).join(' › ') + ' (with subcategories). '
      : 'Showing the product ' + (s.name || s.id) + ' (top-rated products and the category comparison are hidden: they rank many products). ');
    const clear = el('button', { type: 'button', class: 'link', text: 'Back to the whole catalog' });
    clear.addEventListener('click', () => setScope({ kind: 'catalog' }));
    p.append(clear);
  }

  function setScope(scope) {
    state.scope = scope;
    showScope();
    liveSubscribe();
    load();
  }

  function initSearch() {
    const input = $('product-search');
    const list = $('product-results');
    let timer = 0, seq = 0, active = -1;
    const close = () => { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; };
    const pick = (li) => {
      input.value = '';
      close();
      setScope({ kind: 'product', id: li.dataset.id, name: li.dataset.name });
    };
    const highlight = (i) => {
      const items = list.querySelectorAll('li[data-id]');
      if (!items.length) return;
      active = (i + items.length) % items.length;
      items.forEach((li, j) => li.setAttribute('aria-selected', String(j === active)));
      input.setAttribute('aria-activedescendant', items[active].id);
    };
    input.addEventListener('input', () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2) { close(); return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        let d;
        try { d = await gql('search', { query: q }); } catch (e) { d = { search: { edges: [] } }; }
        if (mine !== seq) return;
        list.replaceChildren(...d.search.edges.map(({ node }, i) => {
          const li = el('li', { role: 'option', id: 'product-option-' + i, 'data-id': node.id, 'data-name': node.name, 'aria-selected': 'false' }, node.name, el('span', { class: 'muted', text: ' · ' + node.category.name }));
          li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(li); });
          return li;
        }));
        if (!d.search.edges.length) list.append(el('li', { class: 'muted', text: 'No product matches.' }));
        active = -1;
        list.hidden = false;
        input.setAttribute('aria-expanded', 'true');
      }, 200);
    });
    input.addEventListener('keydown', (e) => {
      if (list.hidden) return;
      if (e.key === 'ArrowDown') { e.preventDefault(); highlight(active + 1); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); highlight(active - 1); }
      else if (e.key === 'Enter') { e.preventDefault(); const li = list.querySelectorAll('li[data-id]')[Math.max(active, 0)]; if (li) pick(li); }
      else if (e.key === 'Escape') close();
    });
    input.addEventListener('blur', close);
  }

  function initControls() {
    const tzs = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []);
    tzs.add('UTC').add(browserTZ).add(state.tz);
    $('tz').append(...[...tzs].sort().map((z) => el('option', { value: z, text: z })));
    $('tz').value = state.tz;
    $('range').value = state.range;
    $('bucket').value = state.bucket;
    const today = todayIn(state.tz);
    $('from').value = state.from || isoDate(addDays(today, -29));
    $('to').value = state.to || isoDate(today);
    $('custom-range').hidden = state.range !== 'custom';

    $('controls').addEventListener('submit', (e) => e.preventDefault());
    $('category').addEventListener('change', (e) => setScope(e.target.value ? { kind: 'category', id: e.target.value } : { kind: 'catalog' }));
    $('range').addEventListener('change', (e) => {
      state.range = e.target.value;
      $('custom-range').hidden = state.range !== 'custom';
      if (state.range === 'custom') { state.from = $('from').value; state.to = $('to').value; }
      state.bucket = defaultBucket(state);
      $('bucket').value = state.bucket;
      load();
    });
    for (const id of ['from', 'to']) {
      $(id).addEventListener('change', () => {
        if (!$('from').value || !$('to').value || $('from').value > $('to').value) return;
        state.from = $('from').value;
        state.to = $('to').value;
        load();
      });
    }
    $('bucket').addEventListener('change', (e) => { state.bucket = e.target.value; load(); });
    $('tz').addEventListener('change', (e) => { state.tz = e.target.value; load(); });
    setInterval(() => { if ($('autorefresh').checked && !document.hidden && !liveOn()) load(true); }, REFRESH_MS);
  }

  async function start() {
    Chart.defaults.font.family = getComputedStyle(body).fontFamily;
    const cards = $('cards');
    for (const c of charts) cards.append(buildCard(c));
    initControls();
    initSearch();
    try {
      await loadCategories();
    } catch (e) {
      $('status').textContent = 'Could not load the categories: ' + e.message;
    }
    if (state.scope.kind === 'product') {
      try { state.scope.name = (await gql('product', { id: state.scope.id })).product.name; } catch (e) { /* the cards will say what is wrong */ }
    }
    showScope();
    liveConnect();
    await load();
  }

  start();
})();

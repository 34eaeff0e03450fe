/**
 * The dashboard: one static page, inline CSS and JS, SVG plots, no CDN. It polls `/api/dashboard` every
 * second and keeps three minutes of history in the browser. Kept as a TS string module so the service and
 * its tests load it without touching the file system.
 */
export const dashboardHtml = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tierstack demo</title>
<link rel="icon" href="data:,">
<style>
  :root { --bg:#0f1420; --card:#182032; --ink:#e6ebf5; --mute:#8d99b3; --grid:#2a3550; --ok:#3ecf8e; --bad:#f0616d; --warn:#f5b544;
          --llm:#6aa8ff; --stats:#3ecf8e; --forecast:#f5b544; --p50:#6aa8ff; --p99:#c38bff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, Segoe UI, Roboto, sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:center; gap:16px; padding:14px 20px; border-bottom:1px solid var(--grid); flex-wrap:wrap; }
  header h1 { font-size:18px; margin:0; }
  .pill { padding:2px 10px; border-radius:999px; background:var(--card); color:var(--mute); font-size:12px; }
  main { display:grid; grid-template-columns:repeat(auto-fit, minmax(420px, 1fr)); gap:16px; padding:16px 20px; }
  section { background:var(--card); border-radius:10px; padding:14px 16px; }
  section h2 { margin:0 0 8px; font-size:13px; font-weight:600; color:var(--mute); text-transform:uppercase; letter-spacing:.04em; }
  .numbers { display:flex; gap:18px; flex-wrap:wrap; margin-bottom:6px; }
  .num b { display:block; font-size:22px; font-variant-numeric:tabular-nums; }
  .num span { color:var(--mute); font-size:12px; }
  svg { width:100%; height:200px; display:block; }
  svg text { fill:var(--mute); font-size:10px; }
  .legend { display:flex; gap:12px; font-size:12px; color:var(--mute); }
  .legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; vertical-align:-1px; }
  button { background:#3b6df0; color:white; border:0; border-radius:8px; padding:9px 16px; font-size:14px; cursor:pointer; }
  button:disabled { opacity:.6; cursor:progress; }
  .tiers { display:flex; gap:10px; flex-wrap:wrap; }
  .tier { flex:1 1 120px; border-radius:8px; padding:10px; background:#111827; border-left:4px solid var(--ok); }
  .tier.down { border-left-color:var(--bad); }
  .tier.half-open { border-left-color:var(--warn); }
  .tier b { display:block; font-size:15px; }
  .tier small { color:var(--mute); display:block; }
  #burst-status { color:var(--mute); margin-left:10px; }
  table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
  td, th { text-align:right; padding:3px 6px; border-bottom:1px solid var(--grid); }
  td:first-child, th:first-child { text-align:left; }
  th { color:var(--mute); font-weight:500; }
</style>
</head>
<body>
<header>
  <h1>tierstack demo</h1>
  <span class="pill" id="mode">connecting…</span>
  <span class="pill" id="stack"></span>
  <span style="flex:1"></span>
  <button id="burst" type="button">Run a burst of traffic</button>
  <span id="burst-status"></span>
</header>
<main>
  <section>
    <h2>Hit ratio per namespace</h2>
    <div class="numbers">
      <div class="num"><b id="hit-ratio-total" data-value="">–</b><span>all namespaces</span></div>
      <div class="num"><b id="hit-ratio-llm" data-value="">–</b><span>llm (7 d, lz4)</span></div>
      <div class="num"><b id="hit-ratio-stats" data-value="">–</b><span>stats (1 h)</span></div>
      <div class="num"><b id="hit-ratio-forecast" data-value="">–</b><span>forecast (TinyLFU, tags)</span></div>
    </div>
    <svg id="chart-hit-ratio" viewBox="0 0 600 200" preserveAspectRatio="none" role="img" aria-label="hit ratio over time"></svg>
    <div class="legend" id="legend-hit-ratio"></div>
  </section>
  <section>
    <h2>Latency per tier (get, ms, log scale)</h2>
    <svg id="chart-tier-latency" viewBox="0 0 600 200" preserveAspectRatio="none" role="img" aria-label="latency per tier"></svg>
    <div class="legend"><span><i style="background:var(--p50)"></i>p50</span><span><i style="background:var(--p99)"></i>p99</span></div>
    <div class="legend" style="margin-top:4px">* local tier: the engine does not time its synchronous hit path; caller-observed latency of cache hits is shown</div>
  </section>
  <section>
    <h2>Requests saved and cost saved</h2>
    <div class="numbers">
      <div class="num"><b id="requests-saved">–</b><span>requests served from cache</span></div>
      <div class="num"><b id="upstream-calls">–</b><span>upstream calls</span></div>
      <div class="num"><b id="cost-saved">–</b><span>cost saved</span></div>
      <div class="num"><b id="cost-spent">–</b><span>cost spent upstream</span></div>
    </div>
    <svg id="chart-saved" viewBox="0 0 600 200" preserveAspectRatio="none" role="img" aria-label="requests and cost saved over time"></svg>
    <div class="legend"><span><i style="background:var(--stats)"></i>requests served from cache</span><span><i style="background:var(--bad)"></i>upstream calls</span></div>
  </section>
  <section>
    <h2>Tier health</h2>
    <div class="tiers" id="tiers"></div>
    <h2 style="margin-top:14px">Caller latency per namespace (ms)</h2>
    <table id="ns-table"><thead><tr><th>namespace</th><th>hits</th><th>misses</th><th>hit p50</th><th>hit p99</th><th>miss p50</th><th>loader p50</th><th>saved $</th></tr></thead><tbody></tbody></table>
  </section>
</main>
<script>
(function () {
  'use strict'
  var NS = ['llm', 'stats', 'forecast']
  var COLORS = { llm: 'var(--llm)', stats: 'var(--stats)', forecast: 'var(--forecast)', total: '#ffffff' }
  var MAX_POINTS = 180
  var history = []
  var SVGNS = 'http://www.w3.org/2000/svg'

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVGNS, name)
    for (var k in attrs) node.setAttribute(k, String(attrs[k]))
    if (parent) parent.appendChild(node)
    return node
  }
  function pct(x) { return (x * 100).toFixed(1) + '%' }
  function money(x) { return '$' + (x < 10 ? x.toFixed(3) : x.toFixed(2)) }
  function ms(x) { return x < 1 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toString() }

  // A time-series line chart: series = [{ name, color, values: [number|null] }] aligned on history.
  function lineChart(svg, series, opts) {
    while (svg.firstChild) svg.removeChild(svg.firstChild)
    var W = 600, H = 200, L = 44, R = 8, T = 8, B = 18
    var max = opts.max
    if (max === undefined) {
      max = 0
      series.forEach(function (s) { s.values.forEach(function (v) { if (v !== null && v > max) max = v }) })
      max = max <= 0 ? 1 : max * 1.1
    }
    for (var i = 0; i <= 4; i++) {
      var y = T + (H - T - B) * (1 - i / 4)
      el('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: 'var(--grid)', 'stroke-width': 1 }, svg)
      var label = el('text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, svg)
      label.textContent = opts.format(max * i / 4)
    }
    var n = Math.max(2, history.length)
    series.forEach(function (s) {
      var pts = []
      s.values.forEach(function (v, idx) {
        if (v === null || v === undefined) return
        var x = L + (W - L - R) * (idx / (MAX_POINTS - 1)) + (W - L - R) * ((MAX_POINTS - n) / (MAX_POINTS - 1))
        var y = T + (H - T - B) * (1 - Math.min(v, max) / max)
        pts.push(x.toFixed(1) + ',' + y.toFixed(1))
      })
      if (pts.length === 1) pts.push(pts[0])
      el('polyline', { points: pts.join(' '), fill: 'none', stroke: s.color, 'stroke-width': s.width || 2, 'stroke-linejoin': 'round' }, svg)
    })
    var t = el('text', { x: W - R, y: H - 4, 'text-anchor': 'end' }, svg)
    t.textContent = 'last ' + Math.round(history.length) + ' s'
  }

  // Horizontal bars per tier, p50 and p99 of get, on a log scale from 0.001 ms to 1000 ms.
  function tierLatencyChart(svg, snap) {
    while (svg.firstChild) svg.removeChild(svg.firstChild)
    var W = 600, H = 200, L = 70, R = 40
    var names = snap.tierOrder
    var lo = Math.log10(0.001), hi = Math.log10(1000)
    function x(v) { var l = Math.log10(Math.max(v, 0.001)); return L + (W - L - R) * (l - lo) / (hi - lo) }
    ;[0.001, 0.01, 0.1, 1, 10, 100, 1000].forEach(function (v) {
      el('line', { x1: x(v), x2: x(v), y1: 4, y2: H - 16, stroke: 'var(--grid)' }, svg)
      var t = el('text', { x: x(v), y: H - 4, 'text-anchor': 'middle' }, svg)
      t.textContent = String(v)
    })
    var band = (H - 24) / Math.max(1, names.length)
    names.forEach(function (name, i) {
      var tier = snap.tiers[name]
      if (!tier) return
      var y0 = 6 + band * i
      var label = el('text', { x: L - 6, y: y0 + band / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, svg)
      label.textContent = name + (tier.latencySource === 'hits' ? '*' : '')
      var h = Math.min(16, band / 2 - 3)
      var items = [['p50', tier.get.p50, 'var(--p50)'], ['p99', tier.get.p99, 'var(--p99)']]
      items.forEach(function (it, j) {
        var y = y0 + band / 2 - h - 1 + j * (h + 2)
        var w = tier.get.count > 0 ? Math.max(1, x(it[1]) - L) : 0
        el('rect', { x: L, y: y, width: w, height: h, rx: 2, fill: it[2], 'data-tier': name, 'data-q': it[0] }, svg)
        if (tier.get.count > 0) {
          var t = el('text', { x: L + w + 4, y: y + h / 2, 'dominant-baseline': 'middle' }, svg)
          t.textContent = ms(it[1]) + ' ms'
        }
      })
    })
  }

  function renderTiers(snap) {
    var box = document.getElementById('tiers')
    box.innerHTML = ''
    snap.tierOrder.forEach(function (name) {
      var t = snap.tiers[name]
      if (!t) return
      var div = document.createElement('div')
      div.className = 'tier' + (!t.ok || t.breaker === 'open' ? ' down' : t.breaker === 'half-open' ? ' half-open' : '')
      div.id = 'tier-' + name
      div.setAttribute('data-ok', String(t.ok))
      var b = document.createElement('b')
      b.textContent = name + (t.ok ? ' ● up' : ' ● down')
      div.appendChild(b)
      var lines = [t.kind + ', breaker ' + t.breaker, 'probe ' + ms(t.healthMs) + ' ms, ' + t.errors + ' errors']
      if (t.entries !== undefined) lines.push(t.entries + ' entries, ' + (t.bytes / 1024).toFixed(0) + ' KiB')
      else lines.push(t.hits + ' hits')
      lines.forEach(function (l) { var s = document.createElement('small'); s.textContent = l; div.appendChild(s) })
      box.appendChild(div)
    })
  }

  function renderTable(snap) {
    var body = document.querySelector('#ns-table tbody')
    body.innerHTML = ''
    NS.forEach(function (name) {
      var s = snap.namespaces[name]
      if (!s) return
      var tr = document.createElement('tr')
      ;[name, s.hits, s.misses, ms(s.hit.p50), ms(s.hit.p99), ms(s.miss.p50), ms(s.loader.p50), money(s.costSaved)].forEach(function (v) {
        var td = document.createElement('td'); td.textContent = String(v); tr.appendChild(td)
      })
      body.appendChild(tr)
    })
  }

  function setNumber(id, value, text) {
    var node = document.getElementById(id)
    node.textContent = text
    node.setAttribute('data-value', String(value))
  }

  function render(snap) {
    document.getElementById('mode').textContent = snap.mode === 'redis' ? 'memory → redis → sqlite (bus + lock)' : 'embedded: memory → sqlite'
    document.getElementById('stack').textContent = 'instance ' + snap.instanceId.slice(0, 8)
    var reads = snap.totals.hits + snap.totals.misses
    setNumber('hit-ratio-total', reads === 0 ? '' : snap.totals.hitRatio, reads === 0 ? '–' : pct(snap.totals.hitRatio))
    NS.forEach(function (name) {
      var s = snap.namespaces[name]
      var r = s ? s.hits + s.misses : 0
      setNumber('hit-ratio-' + name, r === 0 ? '' : s.hitRatio, r === 0 ? '–' : pct(s.hitRatio))
    })
    setNumber('requests-saved', snap.totals.requestsSaved, String(snap.totals.requestsSaved))
    setNumber('upstream-calls', snap.totals.upstreamCalls, String(snap.totals.upstreamCalls))
    setNumber('cost-saved', snap.totals.costSaved, money(snap.totals.costSaved))
    setNumber('cost-spent', snap.totals.upstreamCost, money(snap.totals.upstreamCost))

    var hitSeries = NS.map(function (name) {
      return { name: name, color: COLORS[name], values: history.map(function (h) { var s = h.namespaces[name]; return s && s.hits + s.misses > 0 ? s.hitRatio : null }) }
    })
    hitSeries.push({ name: 'all', color: COLORS.total, width: 1, values: history.map(function (h) { return h.totals.hits + h.totals.misses > 0 ? h.totals.hitRatio : null }) })
    lineChart(document.getElementById('chart-hit-ratio'), hitSeries, { max: 1, format: function (v) { return Math.round(v * 100) + '%' } })
    var legend = document.getElementById('legend-hit-ratio')
    legend.innerHTML = ''
    hitSeries.forEach(function (s) {
      var span = document.createElement('span'); var i = document.createElement('i'); i.style.background = s.color
      span.appendChild(i); span.appendChild(document.createTextNode(s.name)); legend.appendChild(span)
    })
    tierLatencyChart(document.getElementById('chart-tier-latency'), snap)
    lineChart(document.getElementById('chart-saved'), [
      { name: 'saved', color: 'var(--stats)', values: history.map(function (h) { return h.totals.requestsSaved }) },
      { name: 'upstream', color: 'var(--bad)', values: history.map(function (h) { return h.totals.upstreamCalls }) },
    ], { format: function (v) { return v >= 1000 ? (v / 1000).toFixed(1) + 'k' : String(Math.round(v)) } })
    renderTiers(snap)
    renderTable(snap)
  }

  var inFlight = false
  function poll() {
    if (inFlight) return
    inFlight = true
    fetch('/api/dashboard', { cache: 'no-store' })
      .then(function (r) { return r.json() })
      .then(function (snap) {
        history.push(snap)
        if (history.length > MAX_POINTS) history.shift()
        render(snap)
        document.body.setAttribute('data-updated', String(snap.time))
      })
      .catch(function (err) { document.getElementById('mode').textContent = 'disconnected: ' + err.message })
      .then(function () { inFlight = false })
  }

  var button = document.getElementById('burst')
  button.addEventListener('click', function () {
    button.disabled = true
    var status = document.getElementById('burst-status')
    status.textContent = 'running 300 requests…'
    fetch('/api/burst', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ requests: 300, concurrency: 16 }) })
      .then(function (r) { return r.json() })
      .then(function (b) {
        status.textContent = b.requests + ' requests in ' + (b.durationMs / 1000).toFixed(1) + ' s: ' + pct(b.hits / b.requests) + ' hits, ' + b.coalesced + ' coalesced, p50 ' + ms(b.p50Ms) + ' ms, p99 ' + ms(b.p99Ms) + ' ms'
        status.setAttribute('data-done', 'true')
      })
      .catch(function (err) { status.textContent = 'burst failed: ' + err.message })
      .then(function () { button.disabled = false; poll() })
  })

  poll()
  setInterval(poll, 1000)
})()
</script>
</body>
</html>
`

// The study index: grid points with accuracy, the plots, and every kept tree linked.

const DATA = readData();
const PARAMS = DATA.params;
const MOST_ROWS = 3000;
const state = { cell: null, wrongOnly: false, allRows: false, text: '', sort: null, dir: 'ascending' };

function cellKey(params) {
  return JSON.stringify(Object.keys(params).sort().map((k) => [k, params[k]]));
}

function paramText(v) { return printable(typeof v === 'string' ? v : jsonText(v), false); }

// A link only to a page this index wrote (relative, no scheme).
function safeLink(href) {
  return typeof href === 'string' && !/^[a-z][a-z0-9+.-]*:/i.test(href) && !href.startsWith('//') ? href : null;
}

function head() {
  const h = $('head');
  const s = DATA.spec || {};
  add(h, el('h1', null, printable(DATA.title, false)));
  const facts = [];
  if (s.ref) facts.push(`experiment ${printable(s.ref, false)}`);
  if (s.seed !== undefined) facts.push(`seed ${s.seed}`);
  if (s.trials !== undefined) facts.push(`${s.trials} trials per grid point`);
  facts.push(plural(DATA.rows.length, 'tree'));
  facts.push(`${DATA.rows.filter((r) => r.page).length} kept with their trace`);
  add(h, el('p', 'muted', facts.join('  ·  ')));
  if (s.grid) {
    const g = Object.entries(s.grid).map(([k, v]) => `${printable(k, false)} ∈ {${(Array.isArray(v) ? v : [v]).map(paramText).join(', ')}}`);
    add(h, el('p', 'muted mono', 'grid: ' + g.join('  ×  ')));
  }
}

function plots() {
  const box = $('plots');
  for (const p of DATA.plots) {
    if (!/^data:image\/(svg\+xml|png);base64,/.test(p.uri)) continue;
    const img = el('img');
    img.src = p.uri;
    img.alt = p.name + ' plot';
    box.appendChild(add(el('figure'), img));
  }
  box.hidden = !DATA.plots.length;
}

function header(table, columns, onSort, sorted) {
  const thead = el('thead');
  const tr = el('tr');
  for (const c of columns) {
    const th = el('th', c.num ? 'num' : '', c.title);
    if (sorted && sorted.key === c.key) th.setAttribute('aria-sort', sorted.dir);
    th.title = 'sort';
    th.addEventListener('click', () => onSort(c.key));
    tr.appendChild(th);
  }
  table.appendChild(add(thead, tr));
}

const cellSort = { key: null, dir: 'ascending' };

function cells() {
  const table = $('cells');
  table.textContent = '';
  const cols = PARAMS.map((p) => ({ key: 'p:' + p, title: printable(p, false), get: (c) => c.params[p] }))
    .concat([
      { key: 'n', title: 'n', num: true, get: (c) => c.n },
      { key: 'accuracy', title: 'accuracy', num: true, get: (c) => c.accuracy },
      { key: 'ci', title: '95% CI', get: (c) => c.low },
      { key: 'nodes', title: 'nodes', num: true, get: (c) => c.nodes },
      { key: 'failed', title: 'failed', num: true, get: (c) => c.failed },
      { key: 'errors', title: 'errors', num: true, get: (c) => c.errors },
      { key: 'kept', title: 'trees kept', num: true, get: (c) => c.kept },
    ]);
  header(table, cols, (key) => {
    cellSort.dir = cellSort.key === key && cellSort.dir === 'ascending' ? 'descending' : 'ascending';
    cellSort.key = key;
    cells();
  }, cellSort);
  const scored = DATA.cells.filter((c) => c.accuracy !== null);
  const worst = scored.length ? scored.reduce((a, b) => (b.accuracy < a.accuracy ? b : a)) : null;
  const col = cols.find((c) => c.key === cellSort.key);
  const list = col ? sortBy(DATA.cells, col.get, cellSort.dir) : DATA.cells;
  const body = el('tbody');
  for (const c of list) {
    const tr = el('tr', 'cell');
    if (state.cell === cellKey(c.params)) tr.classList.add('picked');
    for (const p of PARAMS) tr.appendChild(el('td', 'mono', paramText(c.params[p])));
    tr.appendChild(el('td', 'num', c.n));
    const acc = el('td', 'num');
    add(acc, c.accuracy === null ? '–' : c.accuracy.toFixed(3));
    if (c === worst) add(acc, ' ', el('span', 'badge bad', 'worst'));
    tr.appendChild(acc);
    const ci = el('td', 'ci');
    const bar = el('span', 'bar');
    const span = el('span', 'range');
    span.style.left = `${(c.low * 100).toFixed(1)}%`;
    span.style.width = `${Math.max(0.5, (c.high - c.low) * 100).toFixed(1)}%`;
    bar.appendChild(span);
    if (c.accuracy !== null) {
      const dot = el('span', 'dot');
      dot.style.left = `${(c.accuracy * 100).toFixed(1)}%`;
      bar.appendChild(dot);
    }
    add(ci, bar, el('span', 'muted', ` ${c.low.toFixed(3)}–${c.high.toFixed(3)}`));
    tr.appendChild(ci);
    tr.appendChild(el('td', 'num', c.nodes.toFixed(1)));
    tr.appendChild(el('td', 'num', c.failed));
    tr.appendChild(el('td', 'num', c.errors));
    tr.appendChild(el('td', 'num', c.kept));
    tr.tabIndex = 0;
    tr.title = 'show this grid point’s trees';
    const pick = () => {
      state.cell = state.cell === cellKey(c.params) ? null : cellKey(c.params);
      cells();
      trees();
      if (state.cell) $('trees-title').scrollIntoView({ block: 'start' });
    };
    tr.addEventListener('click', pick);
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') pick(); });
    body.appendChild(tr);
  }
  table.appendChild(body);
  $('cells-note').textContent = 'Accuracy with its 95% Wilson interval; failures and errors count as wrong. Click a grid point to list its trees.';
}

function filters() {
  const box = $('filters');
  const check = (id, text, key) => {
    const input = el('input');
    input.type = 'checkbox';
    input.id = id;
    input.addEventListener('change', () => { state[key] = input.checked; trees(); });
    return add(el('label', 'filter'), input, ' ' + text);
  };
  const text = el('input');
  text.type = 'search';
  text.id = 'filter-text';
  text.placeholder = 'filter by answer, truth or error';
  text.addEventListener('input', () => { state.text = text.value; trees(); });
  const clear = el('button', null, 'all grid points');
  clear.id = 'all-cells';
  clear.addEventListener('click', () => { state.cell = null; cells(); trees(); });
  add(box, check('wrong-only', 'only wrong or failed', 'wrongOnly'),
    check('all-rows', 'also trees whose trace was not kept', 'allRows'), text, clear,
    el('span', 'muted', ''));
}

const treeSort = { key: null, dir: 'ascending' };

function verdict(r) {
  if (r.correct === true) return el('span', 'right', '✓ right');
  if (r.correct === false) return el('span', 'wrong', '✗ wrong');
  return el('span', 'unknown', r.status === 'ok' ? '· unchecked' : '');
}

function trees() {
  const table = $('trees');
  table.textContent = '';
  const cols = PARAMS.map((p) => ({ key: 'p:' + p, title: printable(p, false), get: (r) => r.params[p] }))
    .concat([
      { key: 'trial', title: 'trial', num: true, get: (r) => r.trial },
      { key: 'correct', title: 'correct', get: (r) => (r.correct === null ? null : r.correct ? 1 : 0) },
      { key: 'status', title: 'status', get: (r) => r.status },
      { key: 'nodes', title: 'nodes', num: true, get: (r) => r.nodes },
      { key: 'depth', title: 'depth', num: true, get: (r) => r.depth },
      { key: 'answer', title: 'answer', get: (r) => r.answer },
      { key: 'truth', title: 'truth', get: (r) => (r.truth === null ? null : jsonText(r.truth)) },
      { key: 'tree', title: 'tree', get: (r) => r.page },
    ]);
  header(table, cols, (key) => {
    treeSort.dir = treeSort.key === key && treeSort.dir === 'ascending' ? 'descending' : 'ascending';
    treeSort.key = key;
    trees();
  }, treeSort);
  const needle = state.text.toLowerCase();
  let list = DATA.rows.filter((r) =>
    (state.allRows || r.page || r.problem) &&
    (!state.cell || cellKey(r.params) === state.cell) &&
    (!state.wrongOnly || r.correct !== true) &&
    (!needle || [r.answer, r.error, jsonText(r.truth)].some((t) => t && String(t).toLowerCase().includes(needle))));
  const col = cols.find((c) => c.key === treeSort.key);
  if (col) list = sortBy(list, col.get, treeSort.dir);
  const body = el('tbody');
  for (const r of list.slice(0, MOST_ROWS)) {
    const tr = el('tr');
    for (const p of PARAMS) tr.appendChild(el('td', 'mono', paramText(r.params[p])));
    tr.appendChild(el('td', 'num', r.trial));
    tr.appendChild(add(el('td'), verdict(r)));
    tr.appendChild(el('td', r.status === 'ok' ? '' : 'failed', r.status));
    tr.appendChild(el('td', 'num', r.nodes));
    tr.appendChild(el('td', 'num', r.depth));
    tr.appendChild(el('td', 'mono clip', r.answer === null ? '–' : printable(r.answer, false).slice(0, 80)));
    tr.appendChild(el('td', 'mono clip', r.truth === null ? '–' : printable(jsonText(r.truth), false).slice(0, 80)));
    const link = el('td');
    const href = safeLink(r.page);
    if (href) {
      const a = el('a', 'open', 'open tree');
      a.href = href;
      link.appendChild(a);
    } else if (r.problem) {
      link.appendChild(el('span', 'muted', printable(r.problem, false).slice(0, 120)));
    } else {
      link.appendChild(el('span', 'muted', 'not kept'));
    }
    if (r.error) link.appendChild(el('div', 'failed small', printable(r.error, false).slice(0, 160)));
    tr.appendChild(link);
    body.appendChild(tr);
  }
  table.appendChild(body);
  const picked = state.cell ? DATA.cells.find((c) => cellKey(c.params) === state.cell) : null;
  const where = picked ? ' at ' + Object.entries(picked.params).map(([k, v]) => `${printable(k, false)}=${paramText(v)}`).join(', ') : '';
  const more = list.length > MOST_ROWS ? ` (first ${MOST_ROWS} shown)` : '';
  $('trees-title').textContent = `Trees${where}: ${plural(list.length, 'row')}${more}`;
}

function start() {
  document.title = DATA.title;
  head();
  plots();
  cells();
  filters();
  trees();
  window.hchIndex = Object.freeze({ rows: DATA.rows.length, cells: DATA.cells.length });
}

start();

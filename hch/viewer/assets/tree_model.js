// The tree(s) of the page as flat arrays over rows. A row is one path of the outline
// both trees share, in pre-order, so a row's subtree is the run of rows up to end[row].

const DATA = readData();
const TREES = DATA.trees;
const DIFF = DATA.diff;
const PATHS = DATA.rows;
const N = PATHS.length;
const SIDES = TREES.length;

const depthOf = new Int32Array(N);
const parentOf = new Int32Array(N);
const endOf = new Int32Array(N);
const kidCount = new Int32Array(N);
(function structure() {
  const stack = [];
  for (let i = 0; i < N; i++) {
    const d = PATHS[i].length;
    while (stack.length > d) endOf[stack.pop()] = i;
    depthOf[i] = d;
    parentOf[i] = d ? stack[d - 1] : -1;
    if (d) kidCount[stack[d - 1]]++;
    stack.push(i);
  }
  while (stack.length) endOf[stack.pop()] = N;
})();

const MARKS = {
  right: ['✓', 'right'], wrong: ['✗', 'wrong'], born: ['✸', 'went wrong here'],
  failed: ['!', 'failed'], cancelled: ['⊘', 'cancelled'], limited: ['⊗', 'limited'],
  unknown: ['·', 'unchecked'], missing: ['…', 'not recorded'],
};
const CHANGES = ['', 'changed', 'added', 'removed'];

function nodeAt(row, side) {
  const k = DATA.at[side][row];
  return k < 0 ? null : TREES[side].nodes[k];
}

// The node a row's colour and mark describe: the second tree's where it has one.
function mainNode(row) {
  return SIDES > 1 ? nodeAt(row, 1) || nodeAt(row, 0) : nodeAt(row, 0);
}

function statusOf(n) { return n.status || 'ok'; }

function markOf(n) {
  if (!n) return 'missing';
  const s = statusOf(n);
  if (s !== 'ok') return n.born ? 'born' : s;
  if (n.correct === true) return 'right';
  if (n.correct === false) return n.born ? 'born' : 'wrong';
  return 'unknown';
}

function isBad(n) { return !!n && (statusOf(n) !== 'ok' || n.correct === false); }

function answerText(n) {
  if (!n) return '';
  if (n.answer) return n.answer.text;
  return n.error ? `${statusOf(n)}: ${n.error.type}: ${n.error.message}` : statusOf(n);
}

function memesOf(n) { return n && n.answer && n.answer.memes ? n.answer.memes : []; }

function label(row) {
  let s = 'root';
  for (const i of PATHS[row]) s += '.' + i;
  return s;
}

function rowOfLabel(text) {
  const want = String(text).trim().replace(/^#/, '');
  for (let i = 0; i < N; i++) if (label(i) === want) return i;
  return -1;
}

function changeOf(row) { return DIFF ? CHANGES[DIFF.change[row]] : ''; }

const AGENTS = [];
const MEMES = [];
(function catalogue() {
  const agents = new Map(), memes = new Set();
  for (const t of TREES) {
    for (const n of t.nodes) {
      agents.set(n.agent, (agents.get(n.agent) || 0) + 1);
      for (const m of memesOf(n)) memes.add(m);
    }
  }
  AGENTS.push(...[...agents.entries()].sort((a, b) => b[1] - a[1]).map((e) => e[0]));
  MEMES.push(...[...memes].sort());
})();

// Which rows are open, and the rows that show: every row whose ancestors are all open.
const expanded = new Uint8Array(N);
const visible = new Int32Array(N);
let visibleCount = 0;

function rebuildVisible() {
  let k = 0, i = 0;
  while (i < N) {
    visible[k++] = i;
    i = expanded[i] ? i + 1 : endOf[i];
  }
  visibleCount = k;
}

function visibleIndex(row) {
  let lo = 0, hi = visibleCount - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1, v = visible[mid];
    if (v === row) return mid;
    if (v < row) lo = mid + 1; else hi = mid - 1;
  }
  return -1;
}

function openTo(row) {
  for (let p = parentOf[row]; p >= 0; p = parentOf[p]) expanded[p] = 1;
}

// Search over every question, answer and error of both trees.
const search = { query: '', re: null, rows: new Int32Array(0), total: 0, at: -1, hits: new Uint8Array(N) };

function rowTexts(row) {
  const texts = [];
  for (let s = 0; s < SIDES; s++) {
    const n = nodeAt(row, s);
    if (!n) continue;
    texts.push(printableLine(n.question.text), printableLine(answerText(n)));
  }
  return texts;
}

function printableLine(text) { return printable(text, false); }

function runSearch(query) {
  search.query = query;
  search.re = matcher(query);
  search.hits.fill(0);
  search.total = 0;
  search.at = -1;
  if (!search.re) {
    search.rows = new Int32Array(0);
    return;
  }
  const rows = [];
  for (let i = 0; i < N; i++) {
    let c = 0;
    for (const t of rowTexts(i)) c += countMatches(search.re, t);
    if (c) {
      rows.push(i);
      search.hits[i] = 1;
      search.total += c;
      openTo(i);
    }
  }
  search.rows = Int32Array.from(rows);
}

// Rows on a highlighted path: from chosen rows up to the root.
const onPath = new Uint8Array(N);

function markPaths(starts) {
  onPath.fill(0);
  for (const r of starts) {
    for (let p = r; p >= 0 && !onPath[p]; p = parentOf[p]) onPath[p] = 1;
  }
}

function rowsWhere(test) {
  const out = [];
  for (let i = 0; i < N; i++) if (test(i)) out.push(i);
  return out;
}

const bornRows = rowsWhere((i) => { const n = mainNode(i); return !!n && !!n.born; });

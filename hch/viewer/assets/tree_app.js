// The page around the tree: summary, toolbar, keys, selection and highlights.

const COLOURS = [
  ['correctness', 'correctness'], ['status', 'status'], ['agent', 'agent'],
  ['depth', 'depth'], ['meme', 'meme'],
];
if (DIFF) COLOURS.unshift(['diff', 'change']);
const HIGHLIGHTS = [
  ['none', 'nothing'], ['errors', 'errors, to the root'],
  ['meme', 'the meme, to the root'], ['selected', 'selected, to the root'],
];
if (DIFF) HIGHLIGHTS.splice(1, 0, ['changes', 'changes, to the root']);
const LEGENDS = {
  correctness: ['right', 'wrong', 'born', 'failed', 'unknown'].map((k) => [`var(--${k})`, MARKS[k][1]]),
  status: [['var(--right)', 'ok'], ['var(--failed)', 'failed'], ['var(--cancelled)', 'cancelled'], ['var(--limited)', 'limited']],
  diff: [['var(--changed)', 'changed'], ['var(--added)', 'added'], ['var(--removed)', 'removed'], ['var(--same)', 'the same']],
  meme: [['var(--born)', 'meme born here'], ['var(--sel-line)', 'carries the meme'], ['var(--missing)', 'does not']],
};
view.highlight = 'none';

function select(row, opts) {
  if (row < 0 || row >= N) return;
  const o = opts || {};
  if (o.reveal) openTo(row);
  view.selected = row;
  if (view.highlight === 'selected') markPaths([row]);
  renderNow(!!o.reveal);
  if (o.middle) scrollToMiddle(row); else scrollToRow(row);
  renderNow(false);
  showPanel(row);
  if (o.focus) scroller.focus({ preventScroll: true });
  try { history.replaceState(null, '', '#' + label(row)); } catch (e) { /* file: pages may refuse */ }
}

function setHighlight(mode) {
  view.highlight = mode;
  $('highlight').value = mode;
  if (mode === 'errors') markPaths(bornRows);
  else if (mode === 'changes') markPaths(rowsWhere((i) => DIFF.chain[i] === 1));
  else if (mode === 'meme') markPaths(rowsWhere((i) => memesOf(mainNode(i)).includes(view.meme)));
  else if (mode === 'selected') markPaths([view.selected]);
  else onPath.fill(0);
  for (let i = 0; i < N; i++) if (onPath[i]) openTo(i);
  renderNow(true);
}

function setColour(mode) {
  view.colour = mode;
  $('colour').value = mode;
  legend();
  renderNow(false);
}

function legend() {
  const box = $('legend');
  box.textContent = '';
  let items = LEGENDS[view.colour];
  if (view.colour === 'agent') {
    items = AGENTS.slice(0, 10).map((a, k) => [`hsl(${(k * 137) % 360} 60% 48%)`, printable(a, false).slice(0, 40)]);
    if (AGENTS.length > 10) items.push(['var(--unknown)', `${AGENTS.length - 10} more`]);
  } else if (view.colour === 'depth') {
    items = [[`hsl(210 65% 35%)`, 'root'], [`hsl(110 65% 55%)`, 'depth 10'], [`hsl(10 65% 75%)`, 'depth 20+']];
  }
  for (const [colour, text] of items) {
    const chip = el('span', 'chip');
    chip.style.background = colour;
    add(box, add(el('span', 'item'), chip, text));
  }
  if (SIDES > 1 && view.colour !== 'diff') add(box, el('span', 'muted', 'marks and colours show B where it has the node'));
}

function searchStatus() {
  const s = $('found');
  if (!search.re) s.textContent = '';
  else if (!search.total) s.textContent = 'no matches';
  else {
    const at = search.at >= 0 ? `${search.at + 1}/${search.rows.length} · ` : '';
    s.textContent = `${at}${plural(search.total, 'match', 'matches')} in ${plural(search.rows.length, 'node')}`;
  }
}

function doSearch(query) {
  runSearch(query);
  renderNow(true);
  if (search.rows.length) step(1);
  searchStatus();
}

function step(dir) {
  if (!search.rows.length) return;
  const k = search.rows.length;
  if (search.at < 0) {
    let i = 0;
    while (i < k && search.rows[i] < view.selected) i++;
    search.at = dir > 0 ? i % k : (i - 1 + k) % k;
  } else {
    search.at = (search.at + dir + k) % k;
  }
  select(search.rows[search.at], { reveal: true, middle: true });
  searchStatus();
}

function option(select_, value, text) {
  const o = el('option', null, text);
  o.value = value;
  select_.appendChild(o);
}

function toolbar() {
  const bar = $('toolbar');
  const q = el('input');
  q.type = 'search';
  q.id = 'search';
  q.placeholder = 'search questions and answers  ( / )';
  q.setAttribute('aria-label', 'search');
  let timer = 0;
  q.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => doSearch(q.value), N > 20000 ? 250 : 80);
  });
  q.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      clearTimeout(timer);
      if (q.value !== search.query) doSearch(q.value); else step(ev.shiftKey ? -1 : 1);
      ev.preventDefault();
    } else if (ev.key === 'Escape') {
      q.value = '';
      doSearch('');
      scroller.focus();
    }
  });
  const prev = el('button', null, '▲');
  prev.title = 'previous match (N)';
  prev.id = 'prev';
  prev.addEventListener('click', () => step(-1));
  const next = el('button', null, '▼');
  next.title = 'next match (n)';
  next.id = 'next';
  next.addEventListener('click', () => step(1));
  const found = el('span', 'muted', '');
  found.id = 'found';
  const open = el('button', null, 'expand all');
  open.id = 'expand-all';
  open.title = 'expand every node ( * )';
  open.addEventListener('click', expandAll);
  const close = el('button', null, 'collapse all');
  close.id = 'collapse-all';
  close.title = 'collapse to the root’s children ( - )';
  close.addEventListener('click', collapseAll);
  const colour = el('select');
  colour.id = 'colour';
  for (const [v, t] of COLOURS) if (v !== 'meme' || MEMES.length) option(colour, v, t);
  colour.addEventListener('change', () => setColour(colour.value));
  const meme = el('select');
  meme.id = 'meme';
  for (const m of MEMES) option(meme, m, printable(m, false).slice(0, 40));
  meme.hidden = !MEMES.length;
  meme.addEventListener('change', () => {
    view.meme = meme.value;
    if (view.highlight === 'meme') setHighlight('meme'); else renderNow(false);
  });
  const hl = el('select');
  hl.id = 'highlight';
  for (const [v, t] of HIGHLIGHTS) if (v !== 'meme' || MEMES.length) option(hl, v, t);
  hl.addEventListener('change', () => setHighlight(hl.value));
  const pointers = TREES.reduce((t, tr) => t + (tr.content || []).length, 0);
  const content = el('button', null, `content (${pointers})`);
  content.id = 'content-view';
  content.title = 'every pointer: who made, passed and unlocked it ( o )';
  content.hidden = !pointers;
  content.addEventListener('click', showContent);
  const help = el('button', null, 'keys');
  help.addEventListener('click', () => { $('help').hidden = !$('help').hidden; });
  add(bar, q, prev, next, found, el('span', 'sep'), open, close, el('span', 'sep'),
    el('label', 'muted', 'colour'), colour, meme, el('label', 'muted', 'highlight'), hl,
    el('span', 'grow'), content, help);
}

function rootLine(side) {
  const t = TREES[side];
  const root = nodeAt(0, side);
  const line = el('div', 'line');
  if (SIDES > 1) add(line, el('span', 'side', side ? 'B' : 'A'), el('span', 'file', printable(t.label, false)), ' ');
  if (root) {
    const m = markOf(root);
    const answer = el('span', 'answer ' + m);
    if (root.answer && root.answer.pointers && root.answer.pointers.length) {
      messageText(answer, printable(root.answer.text, false).slice(0, 120), root.answer.pointers, seenOpts(root, side, null, null));
      add(answer, el('span', 'muted', ' revealed: '), printable(expandText(side, root.answer.text, root.answer.pointers), false).slice(0, 120));
    } else {
      answer.textContent = printable(answerText(root), false).slice(0, 120);
    }
    add(line, el('span', 'muted', 'root answer '), el('span', 'mark ' + m, MARKS[m][0] + ' '), answer);
  } else {
    add(line, el('span', 'badge warn', 'no root: the run stopped before it finished'));
  }
  const h = t.header;
  const facts = [];
  if (h.truth !== null && h.truth !== undefined) facts.push(`truth ${printable(jsonText(h.truth), false).slice(0, 60)}`);
  facts.push(h.task ? `task ${printable(h.task, false)}${t.task_known ? '' : ' (not installed: unchecked)'}` : 'no task');
  facts.push(plural(t.nodes.length, 'node'));
  const bad = t.nodes.filter(isBad).length;
  if (t.checkable || bad) facts.push(`${bad} wrong or failed`);
  const meta = h.meta || {};
  if (meta.params) facts.push(Object.entries(meta.params).map(([k, v]) => `${printable(k, false)}=${printable(jsonText(v), false)}`).join(', '));
  if (meta.trial !== undefined) facts.push(`trial ${meta.trial}`);
  add(line, el('span', 'muted', '  ·  ' + facts.join('  ·  ')));
  if (!t.complete) add(line, ' ', el('span', 'badge warn', 'incomplete: the run was cut off'));
  return line;
}

function summary() {
  const box = $('summary');
  const top = el('div', 'line');
  if (DATA.back) {
    const back = el('a', 'back', '← study index');
    back.href = DATA.back;
    add(top, back, ' ');
  }
  add(top, el('span', 'title', printable(DATA.title, false)));
  const q = el('button', 'question');
  q.title = 'the root question (select the root)';
  q.textContent = 'Q: ' + printable(TREES[0].header.question.text, false).slice(0, 400);
  q.addEventListener('click', () => select(0, { reveal: true }));
  add(box, top, q);
  for (let s = 0; s < SIDES; s++) add(box, rootLine(s));
  if (DIFF) {
    const c = DIFF.counts;
    const line = el('div', 'line');
    add(line, el('span', 'badge ' + (DIFF.root_changed ? 'warn' : ''), DIFF.root_changed ? 'the root changed' : 'the root is the same'),
      el('span', 'muted', `  ${c.changed} changed, ${c.added} added, ${c.removed} removed, ${DIFF.same} the same`));
    add(box, line);
    if (DIFF.chains.length) {
      const chains = el('div', 'line chains');
      add(chains, el('span', 'muted', 'chains of change: '));
      for (const ch of DIFF.chains.slice(0, 12)) {
        const b = el('button', 'link chain-link', printable(ch.text, false));
        b.addEventListener('click', () => { setHighlight('changes'); select(ch.source, { reveal: true, middle: true }); });
        add(chains, b, ' ');
      }
      if (DIFF.chains.length > 12) add(chains, el('span', 'muted', `and ${DIFF.chains.length - 12} more`));
      add(box, chains);
    }
  } else if (bornRows.length) {
    const line = el('div', 'line born-list');
    add(line, el('span', 'muted', 'where it went wrong: '));
    for (const r of bornRows.slice(0, 12)) {
      const b = nodeLink(r, 0);
      b.classList.add('born-link');
      b.addEventListener('click', () => setHighlight('errors'));
      add(line, b, ' ');
    }
    if (bornRows.length > 12) add(line, el('span', 'muted', `and ${bornRows.length - 12} more`));
    add(box, line);
  }
}

const KEYS = [
  ['↑ ↓  j k', 'previous / next row'], ['→ l', 'expand, or go to the first child'],
  ['← h', 'collapse, or go to the parent'], ['Enter Space', 'expand or collapse'],
  ['Home End', 'first / last row'], ['PgUp PgDn', 'a page up / down'],
  ['/', 'search'], ['n N', 'next / previous match'], ['* -', 'expand all / collapse all'],
  ['p', 'highlight the path to the root'], ['e', 'next place where an error was born'],
  ['c', 'next change (two trees)'], ['o', 'content: every pointer'], ['?', 'these keys'],
];

function footer() {
  const f = $('footer');
  const lg = el('div', 'legend');
  lg.id = 'legend';
  const help = el('div', 'help');
  help.id = 'help';
  help.hidden = true;
  for (const [k, t] of KEYS) add(help, add(el('div'), el('kbd', null, k), ' ' + t));
  add(f, lg, help);
}

function moveBy(delta) {
  const k = visibleIndex(view.selected);
  const to = Math.max(0, Math.min(visibleCount - 1, (k < 0 ? 0 : k) + delta));
  select(visible[to]);
}

function nextOf(rows) {
  if (!rows.length) return;
  const after = rows.find((r) => r > view.selected);
  select(after === undefined ? rows[0] : after, { reveal: true, middle: true });
}

function onKey(ev) {
  const tag = ev.target && ev.target.tagName;
  if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const r = view.selected;
  const page = Math.max(1, Math.floor(scroller.clientHeight / ROW) - 1);
  const actions = {
    ArrowDown: () => moveBy(1), j: () => moveBy(1), ArrowUp: () => moveBy(-1), k: () => moveBy(-1),
    ArrowRight: () => (kidCount[r] && !expanded[r] ? toggle(r, true) : kidCount[r] ? select(r + 1) : null),
    l: () => actions.ArrowRight(),
    ArrowLeft: () => (kidCount[r] && expanded[r] ? toggle(r, false) : parentOf[r] >= 0 ? select(parentOf[r]) : null),
    h: () => actions.ArrowLeft(),
    Enter: () => toggle(r), ' ': () => toggle(r),
    Home: () => select(visible[0]), End: () => select(visible[visibleCount - 1]),
    PageDown: () => moveBy(page), PageUp: () => moveBy(-page),
    '/': () => $('search').focus(), n: () => step(1), N: () => step(-1),
    '*': expandAll, '-': collapseAll, p: () => setHighlight('selected'),
    e: () => nextOf(bornRows),
    c: () => (DIFF ? nextOf(rowsWhere((i) => DIFF.change[i] > 0)) : null),
    o: () => (CONTENT.some((m) => m.size) ? showContent() : null),
    '?': () => { $('help').hidden = !$('help').hidden; },
  };
  const act = actions[ev.key];
  if (!act) return;
  ev.preventDefault();
  act();
}

function start() {
  document.title = DATA.title;
  toolbar();
  summary();
  footer();
  // Small trees open whole; where errors were born, only the paths to them (and the top).
  if (N <= 300 && !bornRows.length && !DIFF) expanded.fill(1);
  else for (let i = 0; i < N; i++) if (depthOf[i] < 2) expanded[i] = 1;
  view.colour = DIFF ? 'diff' : TREES[0].checkable ? 'correctness' : 'status';
  setColour(view.colour);
  setHighlight(DIFF ? 'changes' : bornRows.length ? 'errors' : 'none');
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', () => {
    const row = rowOfLabel(location.hash);
    if (row >= 0 && row !== view.selected) select(row, { reveal: true, middle: true });
  });
  const asked = location.hash ? rowOfLabel(location.hash) : -1;
  select(asked >= 0 ? asked : 0, { reveal: true, middle: asked >= 0 });
  window.hchView = Object.freeze({
    rows: N,
    openMs: performance.now(),
    visibleRows: () => visibleCount,
    domRows: () => scroller.querySelectorAll('.row:not([hidden])').length,
    selected: () => label(view.selected),
    expandAll, collapseAll,
  });
}

start();

// The tree as a virtual list: only the rows in view (and a few around) are in the DOM,
// so a tree of a hundred thousand nodes scrolls like one of ten.

const ROW = 24;
const INDENT = 16;
const MOST_INDENT = 40;
const SNIPPET = 240;
const scroller = $('rows');
const spacer = $('spacer');
const pool = [];
const view = { selected: 0, colour: 'correctness', meme: MEMES[0] || '', dirty: true };
let frame = 0;

function makeRow() {
  const r = el('div', 'row');
  r.setAttribute('role', 'treeitem');
  r.tog = el('span', 'tog');
  r.chip = el('span', 'chip');
  r.mark = el('span', 'mark');
  r.pid = el('span', 'pid');
  r.ans = el('span', 'ans');
  r.badges = el('span', 'badges');
  r.q = el('span', 'q');
  add(r, r.tog, r.chip, r.mark, r.pid, r.ans, r.badges, r.q);
  r.addEventListener('click', (ev) => {
    const row = r.row;
    if (ev.target === r.tog) toggle(row);
    else select(row, { focus: true });
  });
  r.addEventListener('dblclick', (ev) => { if (ev.target !== r.tog) toggle(r.row); });
  scroller.appendChild(r);
  return r;
}

// A snippet of a long text: its start, or around the first search match past it.
function snippet(text) {
  const re = search.re;
  if (re && text.length > 60) {
    re.lastIndex = 0;
    const m = re.exec(text);
    if (m && m.index > 60) return '…' + text.slice(m.index - 30, m.index - 30 + SNIPPET);
  }
  return text.length > SNIPPET ? text.slice(0, SNIPPET) + '…' : text;
}

function colourOf(row) {
  const n = mainNode(row);
  switch (view.colour) {
    case 'status': return n ? 'var(--' + (statusOf(n) === 'ok' ? 'right' : statusOf(n)) + ')' : 'var(--missing)';
    case 'agent': {
      if (!n) return 'var(--missing)';
      const k = AGENTS.indexOf(n.agent);
      return k < 10 ? `hsl(${(k * 137) % 360} 60% 48%)` : 'var(--unknown)';
    }
    case 'depth': return `hsl(${210 - Math.min(depthOf[row], 20) * 10} 65% ${35 + Math.min(depthOf[row], 20) * 2}%)`;
    case 'meme': {
      if (!n || !memesOf(n).includes(view.meme)) return 'var(--missing)';
      return (n.memes_born || []).includes(view.meme) ? 'var(--born)' : 'var(--sel-line)';
    }
    case 'diff': return 'var(--' + (changeOf(row) || 'same') + ')';
    default: {
      const m = markOf(n);
      return 'var(--' + (m === 'right' || m === 'wrong' || m === 'born' || m === 'missing' ? m
        : m === 'unknown' ? 'unknown' : m) + ')';
    }
  }
}

function answerCell(r, row) {
  r.ans.textContent = '';
  const re = search.re;
  for (let s = 0; s < SIDES; s++) {
    const n = nodeAt(row, s);
    if (s) add(r.ans, el('span', 'arrow', ' → '));
    const part = el('span', n ? 'a ' + markOf(n) : 'a missing');
    if (SIDES > 1) add(part, el('span', 'mk', (MARKS[markOf(n)] || MARKS.unknown)[0] + ' '));
    if (n && n.answer && n.answer.pointers) {
      messageText(part, snippet(printable(n.answer.text, false)).slice(0, 80), n.answer.pointers, seenOpts(n, s, null, re));
    } else {
      showText(part, n ? snippet(printable(answerText(n), false)).slice(0, 80) : '—', re);
    }
    r.ans.appendChild(part);
  }
}

function fill(r, row, k) {
  r.row = row;
  r.style.transform = `translateY(${k * ROW}px)`;
  r.style.paddingLeft = `${6 + Math.min(depthOf[row], MOST_INDENT) * INDENT}px`;
  const n = mainNode(row);
  const mark = markOf(n);
  let cls = 'row';
  if (row === view.selected) cls += ' selected';
  if (onPath[row]) cls += ' onpath';
  if (search.hits[row]) cls += ' hit';
  if (DIFF) {
    const c = changeOf(row);
    if (c) cls += ' ch-' + c;
    if (DIFF.chain[row]) cls += ' chain';
  }
  r.className = cls;
  r.setAttribute('aria-selected', row === view.selected ? 'true' : 'false');
  r.setAttribute('aria-level', String(depthOf[row] + 1));
  if (kidCount[row]) r.setAttribute('aria-expanded', expanded[row] ? 'true' : 'false');
  else r.removeAttribute('aria-expanded');
  r.tog.textContent = kidCount[row] ? (expanded[row] ? '▾' : '▸') : '';
  r.chip.style.background = colourOf(row);
  r.mark.textContent = MARKS[mark][0];
  r.mark.className = 'mark ' + mark;
  r.mark.title = MARKS[mark][1];
  r.pid.textContent = label(row);
  answerCell(r, row);
  r.badges.textContent = '';
  if (DIFF && changeOf(row)) add(r.badges, el('span', 'badge ch ' + changeOf(row), changeOf(row)));
  if (n && statusOf(n) !== 'ok') add(r.badges, el('span', 'badge warn', statusOf(n)));
  if (n && n.born) add(r.badges, el('span', 'badge bad', 'went wrong here'));
  for (const m of memesOf(n).slice(0, 3)) {
    const born = (n.memes_born || []).includes(m);
    add(r.badges, el('span', 'badge meme', (born ? '◆' : '◇') + printable(m, false).slice(0, 24)));
  }
  if (!kidCount[row] || !expanded[row]) {
    const below = endOf[row] - row - 1;
    if (below) add(r.badges, el('span', 'badge', `+${below.toLocaleString('en')}`));
  }
  r.q.textContent = '';
  if (n) messageText(r.q, snippet(printable(n.question.text, false)), n.question.pointers, seenOpts(n, SIDES > 1 && nodeAt(row, 1) ? 1 : 0, null, search.re));
  else add(r.q, el('span', 'muted', 'not recorded: the run stopped before this node finished'));
}

function render() {
  frame = 0;
  if (view.dirty) {
    rebuildVisible();
    spacer.style.height = `${visibleCount * ROW}px`;
    view.dirty = false;
  }
  const top = scroller.scrollTop;
  const first = Math.max(0, Math.floor(top / ROW) - 8);
  const last = Math.min(visibleCount - 1, Math.ceil((top + scroller.clientHeight) / ROW) + 8);
  const need = Math.max(0, last - first + 1);
  while (pool.length < need) pool.push(makeRow());
  for (let j = 0; j < pool.length; j++) {
    const r = pool[j];
    if (j < need) {
      r.hidden = false;
      fill(r, visible[first + j], first + j);
    } else {
      r.hidden = true;
    }
  }
}

function schedule(structural) {
  if (structural) view.dirty = true;
  if (!frame) frame = requestAnimationFrame(render);
}

function renderNow(structural) {
  if (structural) view.dirty = true;
  if (frame) cancelAnimationFrame(frame);
  render();
}

scroller.addEventListener('scroll', () => schedule(false), { passive: true });
window.addEventListener('resize', () => schedule(false));

function scrollToRow(row) {
  const k = visibleIndex(row);
  if (k < 0) return;
  const top = k * ROW, h = scroller.clientHeight;
  if (top < scroller.scrollTop) scroller.scrollTop = top;
  else if (top + ROW > scroller.scrollTop + h) scroller.scrollTop = top + ROW - h;
}

function scrollToMiddle(row) {
  const k = visibleIndex(row);
  if (k >= 0) scroller.scrollTop = Math.max(0, k * ROW - scroller.clientHeight / 2);
}

function toggle(row, open) {
  if (!kidCount[row]) return;
  expanded[row] = open === undefined ? (expanded[row] ? 0 : 1) : (open ? 1 : 0);
  if (!expanded[row] && view.selected > row && view.selected < endOf[row]) view.selected = row;
  renderNow(true);
}

function expandAll() { expanded.fill(1); renderNow(true); }

function collapseAll() {
  expanded.fill(0);
  expanded[0] = 1;
  if (view.selected !== 0 && parentOf[view.selected] !== 0) view.selected = 0;
  renderNow(true);
}

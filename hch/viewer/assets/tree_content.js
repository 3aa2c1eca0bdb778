// The content view: every pointer of the tree(s) with who made, passed and unlocked it,
// and one pointer's whole story. Both are shown in the side panel.

const MOST_POINTERS = 500;

function pathLink(row, side, none) {
  if (row < 0) return el('span', 'muted', none);
  const b = el('button', 'link pathlink', label(row));
  b.addEventListener('click', () => select(row, { reveal: true }));
  return b;
}

function pointerLink(side, id) {
  const b = el('button', 'link pname', printable(id, false).slice(0, 60));
  b.dataset.pointer = id;
  b.addEventListener('click', () => showPointer(side, id));
  return b;
}

// One pass: `root.0 ↑ root` (· unread: the passer never saw the content).
function hopView(side, h) {
  const [by, to, way, read, into] = h;
  const span = el('span', 'hop' + (read ? '' : ' unread'));
  add(span, pathLink(by, side, 'task'), ` ${WAYS[way] || '?'} `);
  if (way === 'into') add(span, pointerLink(side, into));
  else add(span, pathLink(to, side, 'asker'));
  if (!read) add(span, el('span', 'muted', ' (unread)'));
  return span;
}

function unlockedView(side, c, by) {
  if (!c.unlocked.length) return el('span', 'muted', 'never unlocked');
  const span = el('span', 'unlocks', by === undefined ? 'unlocked by ' : by);
  c.unlocked.forEach(([r, cost], k) => add(span, k ? ', ' : '', pathLink(r, side, '?'), el('span', 'cost', ` (cost ${cost})`)));
  return span;
}

function makerView(side, c) {
  if (c.made_by === null || c.made_by === undefined) return el('span', 'muted', 'the task');
  return c.maker >= 0 ? pathLink(c.maker, side, '') : el('span', 'muted', printable(c.made_by, false) + ' (not recorded)');
}

function panelTitle(text, note) {
  const title = el('div', 'ptitle');
  add(title, el('span', null, text), ' ', el('span', 'muted', note));
  const back = el('button', 'small', 'back to the node');
  back.addEventListener('click', () => showPanel(view.selected));
  add(title, ' ', back);
  return title;
}

function showContent() {
  panel.textContent = '';
  add(panel, panelTitle('content', 'every pointer: who made, passed and unlocked it'));
  for (let side = 0; side < SIDES; side++) {
    const list = TREES[side].content || [];
    const sec = section(SIDES > 1 ? `${side ? 'B' : 'A'}: ${printable(TREES[side].label, false)} (${list.length})` : `${list.length} pointers`);
    sec.classList.add('content-list');
    for (const c of list.slice(0, MOST_POINTERS)) {
      const item = el('div', 'pentry');
      item.dataset.pointer = c.id;
      const head = el('div');
      add(head, pointerLink(side, c.id), el('span', 'muted', ' by '), makerView(side, c), el('span', 'muted', ' · '), unlockedView(side, c));
      const text = c.content ? printable(c.content.text, false).slice(0, 160) : 'not in the trace';
      const hops = el('div', 'hops');
      if (c.hops.length) {
        add(hops, el('span', 'muted', 'passed '));
        c.hops.forEach((h, k) => add(hops, k ? ', ' : '', hopView(side, h)));
      } else {
        add(hops, el('span', 'muted', 'never passed'));
      }
      add(item, head, el('div', 'ctext', text), hops);
      add(sec, item);
    }
    if (list.length > MOST_POINTERS) add(sec, el('div', 'muted', `and ${list.length - MOST_POINTERS} more`));
    add(panel, sec);
  }
}

function showPointer(side, id) {
  const c = CONTENT[side].get(id);
  panel.textContent = '';
  add(panel, panelTitle('pointer ' + printable(id, false), madeBy(side, id)));
  const all = el('button', 'small', 'all content');
  all.addEventListener('click', showContent);
  add(panel.firstChild, ' ', all);
  if (!c) {
    add(panel, el('p', 'muted', 'no such pointer in this tree'));
    return;
  }
  const box = el('div', 'pointer-view');
  box.dataset.pointer = id;
  const s = section('content');
  if (c.content) {
    const pre = el('pre', 'text');
    const inner = el('div', 'msg');
    messageText(pre, printable(c.content.text, true), c.content.pointers, { side, seen: null, made: null, box: inner, re: null });
    add(inner, pre);
    add(s, inner);
    if (c.content.pointers && c.content.pointers.length) {
      add(s, el('div', 'role', 'revealed'), block(expandText(side, c.content.text, c.content.pointers), 'revealed'));
    }
  } else {
    add(s, el('p', 'muted', 'the trace holds no content for this pointer'));
  }
  add(box, s);
  const who = section('who');
  add(who, pair('made by', makerView(side, c)));
  add(who, pair('unlocked by', unlockedView(side, c, '')));
  const hops = el('div', 'hops');
  c.hops.forEach((h) => add(hops, add(el('div'), hopView(side, h))));
  add(who, pair('passed', c.hops.length ? hops : 'never'));
  add(box, who);
  add(panel, box);
}

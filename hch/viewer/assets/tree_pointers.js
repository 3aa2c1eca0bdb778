// Pointers in messages: `$1` shown as a chip naming its pointer (task:2, root.0:1),
// marked by whether the node in view saw the content (it made or unlocked it). A chip
// in the panel reveals the content on click (and its start on hover). Content text,
// like every trace string, reaches the page through textContent only.

const CONTENT = TREES.map((t) => {
  const m = new Map();
  for (const c of t.content || []) m.set(c.id, c);
  return m;
});
const REF = /\$(\d+)/g;
const EXPANSION = 64;
const WAYS = { down: '↓', up: '↑', into: '⊂' };

function hasContent(side) { return CONTENT[side].size > 0; }

// Pointers whose content the node saw: the ones it made (hold) or unlocked.
function seenBy(n) {
  const s = new Set();
  for (const e of (n && n.events) || []) if (e.kind === 'hold' || e.kind === 'unlock') s.add(e.pointer);
  return s;
}

// Chip options for messages of node `n` of tree `side`; `box` makes chips reveal there.
function seenOpts(n, side, box, re) {
  const made = new Set();
  for (const e of (n && n.events) || []) if (e.kind === 'hold') made.add(e.pointer);
  return { side, seen: n ? seenBy(n) : null, made, box: box || null, re: re || null };
}

function contentOf(side, id) {
  const c = CONTENT[side].get(id);
  return c && c.content ? c.content : null;
}

// What a message reads as with every pointer expanded, all the way down (a nested
// pointer the trace lacks stays `$i`). At most EXPANDED characters: content that names
// itself twice would otherwise double at every level.
const EXPANDED = 1000000;

function expandText(side, text, pointers) {
  const out = [];
  let total = 0;
  const put = (t) => {
    if (total >= EXPANDED) return;
    const piece = t.slice(0, EXPANDED - total);
    out.push(piece);
    total += piece.length;
  };
  const walk = (t, ps, depth) => {
    const s = String(t);
    if (!ps || !ps.length || depth >= EXPANSION) { put(s); return; }
    const re = new RegExp(REF.source, 'g');  // its own: walks nest
    let last = 0, m;
    while (total < EXPANDED && (m = re.exec(s))) {
      const i = Number(m[1]);
      const c = i >= 1 && i <= ps.length ? contentOf(side, ps[i - 1]) : null;
      if (!c) continue;
      put(s.slice(last, m.index));
      walk(c.text, c.pointers, depth + 1);
      last = m.index + m[0].length;
    }
    put(s.slice(last));
  };
  walk(text, pointers, 0);
  return out.join('') + (total >= EXPANDED ? '…' : '');
}

// How a node relates to a pointer's content, in words and as a chip class.
function seenState(seen, made, id) {
  if (!seen) return ['', ''];
  if (made && made.has(id)) return ['seen', 'this node made it'];
  if (seen.has(id)) return ['seen', 'this node unlocked it'];
  return ['unseen', 'this node did NOT see it: it never unlocked it'];
}

// One chip. opts: { side, seen (Set, or null where no node is in view), made (Set),
// box (where a click reveals the content; none: a plain, inert chip) }.
function chip(i, id, opts) {
  const [state, why] = seenState(opts.seen, opts.made, id);
  const c = el(opts.box ? 'button' : 'span', 'ptr ' + state);
  c.dataset.pointer = id;
  if (i !== null) add(c, el('span', 'ref', '$' + i));
  add(c, el('span', 'pname', printable(id, false).slice(0, 60)));
  const content = contentOf(opts.side, id);
  const peek = content ? printable(content.text, false).slice(0, 200) : 'content not in the trace';
  c.title = `${printable(id, false)}${why ? ': ' + why : ''}\n${peek}`;
  if (opts.box) {
    c.type = 'button';
    c.addEventListener('click', (ev) => {
      ev.stopPropagation();
      revealInto(opts.box, opts.side, id, opts, why);
    });
  }
  return c;
}

// Append `text` with each `$i` of `pointers` as a chip (pointers the text does not
// name follow it); search matches marked in the text between.
function messageText(parent, text, pointers, opts) {
  const ps = pointers || [];
  const re = opts.re || null;
  if (!ps.length) return showText(parent, text, re);
  const named = new Set();
  let last = 0, n = 0, m;
  REF.lastIndex = 0;
  while ((m = REF.exec(text))) {
    const i = Number(m[1]);
    if (i < 1 || i > ps.length) continue;
    if (m.index > last) n += showText(parent, text.slice(last, m.index), re);
    parent.appendChild(chip(i, ps[i - 1], opts));
    named.add(i);
    last = m.index + m[0].length;
  }
  if (last < text.length) n += showText(parent, text.slice(last), re);
  ps.forEach((p, k) => {
    if (!named.has(k + 1)) add(parent, ' ', chip(k + 1, p, opts));
  });
  return n;
}

// Show (or hide again) a pointer's content in `box`, with its own pointers as chips.
function revealInto(box, side, id, opts, why) {
  const open = box.querySelector(`:scope > .reveal[data-pointer="${CSS.escape(id)}"]`);
  if (open) { open.remove(); return; }
  const r = el('div', 'reveal ' + (seenState(opts.seen, opts.made, id)[0] || 'neutral'));
  r.dataset.pointer = id;
  const head = el('div', 'rhead');
  add(head, el('span', 'pname', printable(id, false)), ' ', el('span', 'muted', madeBy(side, id)));
  if (why) add(head, ' · ', el('span', 'why', why));
  const about = el('button', 'link about', 'who passed and unlocked it');
  about.addEventListener('click', () => showPointer(side, id));
  add(head, ' ', about);
  add(r, head);
  const c = contentOf(side, id);
  if (!c) {
    add(r, el('p', 'muted', 'the trace holds no content for this pointer'));
  } else {
    const pre = el('pre', 'text');
    messageText(pre, printable(c.text, true), c.pointers, Object.assign({}, opts, { box: r }));
    add(r, pre);
    if (c.memes && c.memes.length) add(r, pair('memes', c.memes.map((x) => printable(x, false)).join('  ')));
    if (c.data !== undefined && c.data !== null) add(r, pair('data', jsonText(c.data)));
  }
  box.appendChild(r);
}

function madeBy(side, id) {
  const c = CONTENT[side].get(id);
  if (!c || c.made_by === null || c.made_by === undefined) return 'part of the task';
  return 'made by ' + printable(c.made_by, false);
}

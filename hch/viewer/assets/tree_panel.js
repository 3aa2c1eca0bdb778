// The side panel: everything recorded about the selected node (of both trees).

const panel = $('panel');
const FOLD = 20000;

function section(title, open) {
  const d = el('details', 'sec');
  d.open = open !== false;
  add(d, el('summary', null, title));
  return d;
}

function pair(key, value, cls) {
  const row = el('div', 'kv');
  add(row, el('span', 'k', key));
  const v = el('span', 'v' + (cls ? ' ' + cls : ''));
  if (value instanceof Node) v.appendChild(value); else v.textContent = String(value);
  return add(row, v);
}

// A block of text (or JSON), long ones folded behind a button; search matches marked.
function block(text, cls) {
  const pre = el('pre', 'text' + (cls ? ' ' + cls : ''));
  const full = printable(String(text), true);
  const put = (t) => {
    pre.textContent = '';
    showText(pre, t, search.re);
  };
  if (full.length > FOLD) {
    put(full.slice(0, FOLD));
    const more = el('button', 'more', `show all ${full.length.toLocaleString('en')} characters`);
    more.addEventListener('click', () => { put(full); more.remove(); });
    return add(el('div'), pre, more);
  }
  put(full);
  return pre;
}

// A question or answer with its pointers as chips that reveal their content below it.
function messageBlock(msg, n, side) {
  const ps = msg.pointers || [];
  if (!ps.length) return block(msg.text);
  const box = el('div', 'msg');
  const opts = seenOpts(n, side, box, search.re);
  const text = String(msg.text);
  if (text.length > FOLD) {
    add(box, block(text));
    ps.forEach((p, k) => add(box, chip(k + 1, p, opts), ' '));
  } else {
    const pre = el('pre', 'text');
    messageText(pre, printable(text, true), ps, opts);
    add(box, pre);
  }
  return box;
}

// What the node did with pointers: made (hold), unlocked (at what cost), passed on.
function pointerSection(row, side, n) {
  const events = n.events || [];
  const holds = events.filter((e) => e.kind === 'hold');
  const unlocks = events.filter((e) => e.kind === 'unlock');
  const up = (n.answer && n.answer.pointers) || [];
  const down = childRows(row).map((c) => [c, nodeAt(c, side)])
    .filter(([, k]) => k && k.question.pointers && k.question.pointers.length);
  const got = n.question.pointers || [];
  if (!holds.length && !unlocks.length && !up.length && !down.length && !got.length) return null;
  const sec = section('pointers');
  sec.classList.add('pointers');
  const opts = seenOpts(n, side, sec, null);
  const cost = unlocks.reduce((t, e) => t + (e.cost || 0), 0);
  add(sec, el('div', 'muted', `made ${holds.length}, unlocked ${unlocks.length} for ${cost} of its budget` +
    ` (${n.budget_used === undefined ? 1 : n.budget_used} used in all); ▢ saw the content, ▨ did not`));
  const line = (key, ...kids) => add(sec, add(el('div', 'kv ' + key.split(' ')[0]), el('span', 'k', key), add(el('span', 'v'), ...kids)));
  for (const e of holds) {
    line('made', chip(null, e.pointer, opts), ' ', el('span', 'muted', printable(e.content.text, false).slice(0, 120)));
  }
  for (const e of unlocks) {
    line('unlocked', chip(null, e.pointer, opts), ' ', el('span', 'cost', `cost ${e.cost || 0}`));
  }
  if (got.length) line('received', ...got.map((p) => chip(null, p, opts)));
  if (up.length) line('passed up', ...up.map((p) => chip(null, p, opts)));
  for (const [c, k] of down) {
    line('passed down', pathLink(c, side, ''), ' ', ...k.question.pointers.map((p) => chip(null, p, opts)));
  }
  return sec;
}

function nodeLink(row, side) {
  const n = nodeAt(row, side);
  const a = el('button', 'link');
  const m = markOf(n);
  add(a, el('span', 'mark ' + m, MARKS[m][0] + ' '), el('span', 'pid', label(row)));
  if (n) add(a, el('span', 'muted', ' ' + printable(answerText(n), false).slice(0, 60)));
  a.addEventListener('click', () => select(row, { reveal: true }));
  return a;
}

function childRows(row) {
  const out = [];
  for (let c = row + 1; c < endOf[row]; c = endOf[c]) out.push(c);
  return out;
}

function modelCall(e, i) {
  const d = section(`model call ${i + 1}: ${e.model}${e.cached ? ' (cached)' : ''}`, true);
  const facts = [];
  if (e.attempt && e.attempt > 1) facts.push(`attempt ${e.attempt}`);
  facts.push(`latency ${seconds(e.latency || 0)}`);
  if (e.usage) facts.push(`tokens ${e.usage.prompt_tokens || 0} in, ${e.usage.completion_tokens || 0} out`);
  if (e.cost !== undefined && e.cost !== null) facts.push(`cost $${Number(e.cost).toPrecision(3)}`);
  facts.push(e.cached ? 'from the cache' : 'live');
  add(d, el('div', 'muted', facts.join(' · ')));
  if (e.error) add(d, pair('error', `${e.error.type}: ${e.error.message}`, 'failed'));
  const req = e.request || {};
  const messages = Array.isArray(req.messages) ? req.messages : [];
  for (const msg of messages) {
    const content = typeof msg.content === 'string' ? msg.content : jsonText(msg.content);
    add(d, el('div', 'role', String(msg.role || 'message')), block(content));
  }
  const rest = Object.assign({}, req);
  delete rest.messages;
  if (Object.keys(rest).length) add(d, el('div', 'role', 'parameters'), block(jsonText(rest), 'json'));
  if (e.response !== undefined && e.response !== null) {
    const choice = e.response.choices && e.response.choices[0];
    const said = choice && choice.message && typeof choice.message.content === 'string' ? choice.message.content : null;
    if (said !== null) add(d, el('div', 'role', 'response'), block(said));
    const raw = section('raw response', false);
    add(raw, block(jsonText(e.response), 'json'));
    add(d, raw);
  }
  return d;
}

function toolCall(e) {
  const d = section(`tool call: ${e.name}`, true);
  add(d, el('div', 'role', 'arguments'), block(jsonText(e.args || {}), 'json'));
  if (e.error) add(d, pair('error', `${e.error.type}: ${e.error.message}`, 'failed'));
  else add(d, el('div', 'role', 'result'), block(jsonText(e.result === undefined ? null : e.result), 'json'));
  return d;
}

function conversation(row, side, n) {
  if (n.follows === undefined || n.follows === null) return null;
  const d = section('follow-up turns', true);
  const parent = parentOf[row];
  const turns = [row];
  let cur = n;
  while (cur && cur.follows !== undefined && cur.follows !== null) {
    const prev = childRows(parent).find((c) => PATHS[c][PATHS[c].length - 1] === cur.follows);
    if (prev === undefined) break;
    turns.unshift(prev);
    cur = nodeAt(prev, side);
  }
  add(d, el('div', 'muted', `turn ${turns.length} of a conversation with one child; it saw every earlier turn`));
  for (const t of turns.slice(0, -1)) add(d, nodeLink(t, side));
  return d;
}

function nodeDetails(row, side) {
  const n = nodeAt(row, side);
  const box = el('div', 'node');
  if (!n) {
    const other = SIDES > 1 ? nodeAt(row, 1 - side) : null;
    add(box, el('p', 'muted', other
      ? `not in ${TREES[side].label}`
      : `not recorded in ${TREES[side].label}: the run stopped before this node finished`));
    return box;
  }
  const m = markOf(n);
  const verdict = el('span', m, `${MARKS[m][0]} ${MARKS[m][1]}`);
  const head = el('div', 'facts');
  add(head, pair('verdict', verdict));
  add(head, pair('status', statusOf(n), statusOf(n) === 'ok' ? '' : 'failed'));
  add(head, pair('agent', printable(n.agent, false)));
  const budget = n.budget_given === undefined || n.budget_given === null ? 'unbounded' : n.budget_given;
  add(head, pair('budget', `${n.budget_used === undefined ? 1 : n.budget_used} used of ${budget}`));
  add(head, pair('time', `${seconds(n.start || 0)} → ${seconds(n.end || 0)} (${seconds((n.end || 0) - (n.start || 0))})`));
  add(box, head);
  const q = section('question');
  add(q, messageBlock(n.question, n, side));
  if (n.question.data !== undefined && n.question.data !== null) {
    const data = section('question data', false);
    add(data, block(jsonText(n.question.data), 'json'));
    add(q, data);
  }
  add(box, q);
  const a = section('answer');
  if (n.answer) {
    add(a, messageBlock(n.answer, n, side));
    if (n.answer.pointers && n.answer.pointers.length) {
      const read = seenBy(n);
      const unread = n.answer.pointers.some((p) => !read.has(p));
      add(a, el('div', 'role', unread
        ? 'revealed: what its asker reads by unlocking every pointer (this node did not see all of it)'
        : 'revealed: what its asker reads by unlocking every pointer'));
      add(a, block(expandText(side, n.answer.text, n.answer.pointers), 'revealed'));
    }
    const memes = memesOf(n);
    if (memes.length) {
      const born = n.memes_born || [];
      add(a, pair('memes', memes.map((x) => (born.includes(x) ? '◆' : '◇') + printable(x, false)).join('  ')));
    }
    if (n.answer.data !== undefined && n.answer.data !== null) add(a, pair('data', jsonText(n.answer.data)));
  } else {
    add(a, el('p', 'muted', 'no answer'));
  }
  if (n.error) add(a, pair('error', `${n.error.type}: ${n.error.message}`, 'failed'));
  add(box, a);
  add(box, conversation(row, side, n));
  add(box, pointerSection(row, side, n));
  const kids = childRows(row);
  if (kids.length) {
    const c = section(`children (${kids.length})`);
    for (const k of kids.slice(0, 200)) add(c, nodeLink(k, side));
    if (kids.length > 200) add(c, el('div', 'muted', `and ${kids.length - 200} more`));
    add(box, c);
  }
  const events = n.events || [];
  const calls = events.filter((e) => e.kind === 'model');
  calls.forEach((e, i) => add(box, modelCall(e, i)));
  for (const e of events.filter((x) => x.kind === 'tool')) add(box, toolCall(e));
  const notes = events.filter((e) => e.kind === 'note');
  if (notes.length) {
    const s = section(`notes (${notes.length})`);
    for (const e of notes) add(s, block(jsonText(e.fields), 'json'));
    add(box, s);
  }
  return box;
}

function showPanel(row) {
  panel.textContent = '';
  const title = el('div', 'ptitle');
  const n = mainNode(row);
  const m = markOf(n);
  add(title, el('span', 'mark ' + m, MARKS[m][0]), ' ', el('span', 'pid', label(row)));
  add(title, el('span', 'muted', ` depth ${depthOf[row]}`));
  const up = el('button', 'small', 'parent');
  up.disabled = parentOf[row] < 0;
  up.addEventListener('click', () => select(parentOf[row], { reveal: true }));
  const path = el('button', 'small', 'path to root');
  path.addEventListener('click', () => setHighlight('selected'));
  add(title, ' ', up, ' ', path);
  add(panel, title);
  if (DIFF) {
    const c = changeOf(row);
    const s = section('change');
    add(s, pair('here', c ? `${c}: ${DIFF.describe[String(row)]}` : 'the same in both trees'));
    for (const ch of DIFF.chains) {
      if (!ch.changed.includes(row) && ch.stops_at !== row) continue;
      const line = el('div', 'chainline');
      ch.changed.forEach((r, i) => {
        if (i) add(line, ' → ');
        add(line, nodeLink(r, 1));
      });
      add(line, el('span', 'muted', ch.reaches_root ? '  reaches the root' : ch.stops_at >= 0 ? `  stops at ${label(ch.stops_at)}` : ''));
      add(s, line);
    }
    add(panel, s);
    for (let side = 0; side < SIDES; side++) {
      const t = section(`${side ? 'B' : 'A'}: ${TREES[side].label}`);
      add(t, nodeDetails(row, side));
      add(panel, t);
    }
  } else {
    add(panel, nodeDetails(row, 0));
  }
}

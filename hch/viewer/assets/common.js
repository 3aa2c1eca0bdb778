// Shared helpers of hch pages. Every string from a trace reaches the page through
// textContent (el, add, showText): never as markup.

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function add(parent, ...kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    parent.appendChild(typeof k === 'string' ? document.createTextNode(k) : k);
  }
  return parent;
}

function readData() {
  return JSON.parse($('hch-data').textContent);
}

function plural(n, word, many) {
  return `${n.toLocaleString('en')} ${n === 1 ? word : (many || word + 's')}`;
}

function seconds(s) {
  if (s === null || s === undefined) return '–';
  if (s < 1) return `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms`;
  return `${s.toFixed(3)} s`;
}

function jsonText(value) {
  try {
    return JSON.stringify(value, null, 2);
  } catch (e) {
    return String(value);
  }
}

// Characters that would hide or reorder text (controls, direction overrides, zero
// widths) are shown as \uXXXX escapes; line breaks stay when `lines` is true.
const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;
const HIDDEN_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g;

function printable(text, lines) {
  const re = lines ? HIDDEN : HIDDEN_OR_BREAK;
  return String(text).replace(re, (c) => {
    if (c === '\n' && !lines) return '↵ ';
    if (c === '\t') return lines ? '\t' : ' ';
    if (c === '\r' && !lines) return '';
    return '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0');
  });
}

function escapeRegex(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A case-insensitive matcher for a search string, or null for an empty one.
function matcher(query) {
  return query ? new RegExp(escapeRegex(query), 'giu') : null;
}

function countMatches(re, text) {
  if (!re || !text) return 0;
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text)) n++;
  return n;
}

// Append `text` to `parent`, the parts matching `re` wrapped in <mark>; returns the
// number of marks made.
function showText(parent, text, re) {
  if (!re) {
    parent.appendChild(document.createTextNode(text));
    return 0;
  }
  re.lastIndex = 0;
  let last = 0, n = 0, m;
  while ((m = re.exec(text))) {
    if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
    parent.appendChild(el('mark', null, m[0]));
    last = m.index + m[0].length;
    n++;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  return n;
}

// Sort `rows` (objects) by `key`; numbers as numbers, nulls last.
function sortBy(rows, key, dir) {
  const sign = dir === 'descending' ? -1 : 1;
  return rows.slice().sort((a, b) => {
    const x = key(a), y = key(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
  });
}

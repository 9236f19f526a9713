// The documentation's shell sessions: README.md's "A first session", then the sessions of the pages
// in docs/ (in the order of their file names), each bash block with the reply shown under it, and a
// way to tell whether what a block printed matches that reply. They run in one shell, one after the
// other, so a page's session goes on from the README's (its variables, its data).
//
// A block to run is a ```bash block right after `<!-- session -->` (or `<!-- session: after restart -->`:
// the server is restarted before it). The ```json or ```text block right after it is what it prints.
// In that reply, `…` stands for what differs from run to run: a string value "…" matches any value,
// a string with … in it matches any text there, and `,…}` / `,…]` allow more keys / items.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @typedef {{ code: string, expected: string | null, afterRestart: boolean, line: number, file: string }} SessionBlock */

/** The files whose sessions run, in the order they run: README.md, then docs/*.md by name. */
export function documentationFiles(root) {
  const docs = join(root, 'docs');
  const pages = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => `docs/${name}`)
    : [];
  return ['README.md', ...pages];
}

/** Every session block of the documentation under `root`, in the order they run. */
export function documentedSessions(root) {
  return documentationFiles(root).flatMap((file) => sessionBlocks(join(root, file), file));
}

/** @returns {SessionBlock[]} */
export function sessionBlocks(path, file = path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks = [];
  const fenced = (start) => {
    const open = /^```(\w*)\s*$/.exec(lines[start] ?? '');
    if (!open) return null;
    const end = lines.findIndex((line, index) => index > start && line.trim() === '```');
    if (end < 0) throw new Error(`${file} line ${start + 1}: the code block is not closed`);
    return { lang: open[1], text: lines.slice(start + 1, end).join('\n'), end };
  };
  for (let i = 0; i < lines.length; i++) {
    const marker = /^<!-- session(: after restart)? -->\s*$/.exec(lines[i]);
    if (!marker) continue;
    const code = fenced(i + 1);
    if (!code || code.lang !== 'bash')
      throw new Error(`${file} line ${i + 1}: a session marker must be followed by a bash block`);
    const reply = fenced(code.end + 1);
    const expected = reply && (reply.lang === 'json' || reply.lang === 'text') ? reply.text : null;
    blocks.push({ code: code.text, expected, afterRestart: Boolean(marker[1]), line: i + 2, file });
    i = reply && expected !== null ? reply.end : code.end;
  }
  return blocks;
}

/** Splits output into items: each JSON object or array is one item, each other line one item. */
export function outputItems(text) {
  const items = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    if (text[i] === '{' || text[i] === '[') {
      let depth = 0;
      let inString = false;
      let j = i;
      for (; j < text.length; j++) {
        const c = text[j];
        if (inString) {
          if (c === '\\') j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          depth--;
          if (depth === 0) break;
        }
      }
      items.push({ json: text.slice(i, j + 1) });
      i = j + 1;
    } else {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      items.push({ text: text.slice(i, stop).trimEnd() });
      i = stop;
    }
  }
  return items;
}

const REST = '…';

function parseExpected(json) {
  return JSON.parse(json.replace(/,\s*…\s*}/g, ',"…":"…"}').replace(/,\s*…\s*]/g, ',"…"]'));
}

function textMatches(expected, actual) {
  if (!expected.includes(REST)) return expected === actual;
  const pattern = expected
    .split(REST)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${pattern}$`).test(actual);
}

/** Where `actual` differs from `expected` (null: it matches). */
function valueDifference(expected, actual, path) {
  if (expected === REST) return null;
  if (typeof expected === 'string') {
    return typeof actual === 'string' && textMatches(expected, actual)
      ? null
      : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    const open = expected.at(-1) === REST;
    const items = open ? expected.slice(0, -1) : expected;
    if (open ? actual.length < items.length : actual.length !== items.length) {
      return `${path}: expected ${items.length}${open ? ' or more' : ''} items, got ${actual.length}`;
    }
    for (let k = 0; k < items.length; k++) {
      const difference = valueDifference(items[k], actual[k], `${path}[${k}]`);
      if (difference) return difference;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    const open = REST in expected;
    for (const key of Object.keys(expected)) {
      if (key === REST) continue;
      if (!(key in actual)) return `${path}.${key}: missing`;
      const difference = valueDifference(expected[key], actual[key], `${path}.${key}`);
      if (difference) return difference;
    }
    if (!open) {
      const extra = Object.keys(actual).filter((key) => !(key in expected));
      if (extra.length > 0) return `${path}: not in the documentation: ${extra.join(', ')}`;
    }
    return null;
  }
  return Object.is(expected, actual)
    ? null
    : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

/** Null when what a block printed matches the reply the documentation shows, else what differs. */
export function outputDifference(expectedText, actualText) {
  const expected = outputItems(expectedText);
  const actual = outputItems(actualText);
  for (let k = 0; k < Math.max(expected.length, actual.length); k++) {
    const e = expected[k];
    const a = actual[k];
    if (!e) return `printed more than the documentation shows: ${a.json ?? a.text}`;
    if (!a) return `printed less than the documentation shows: missing ${e.json ?? e.text}`;
    if (e.json !== undefined) {
      if (a.json === undefined) return `item ${k + 1}: expected JSON, got ${a.text}`;
      let parsed;
      try {
        parsed = JSON.parse(a.json);
      } catch {
        return `item ${k + 1}: not JSON: ${a.json}`;
      }
      const difference = valueDifference(parseExpected(e.json), parsed, `item ${k + 1}`);
      if (difference) return difference;
    } else if (a.text === undefined || !textMatches(e.text, a.text)) {
      return `item ${k + 1}: expected ${e.text}, got ${a.text ?? a.json}`;
    }
  }
  return null;
}

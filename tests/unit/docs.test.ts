import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The documentation: README.md stays a front page, and every relative link of README.md,
 * ARCHITECTURE.md and docs/*.md reaches a file that exists and, with a #fragment, a heading in it.
 */

const root = join(__dirname, '../..');
const pages = [
  'README.md',
  'ARCHITECTURE.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The lines of a Markdown file outside fenced code blocks, with inline code blanked out. */
function prose(file: string): { text: string; line: number }[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const out: { text: string; line: number }[] = [];
  let fence: string | null = null;
  lines.forEach((text, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      return;
    }
    if (fence === null)
      out.push({ text: text.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length)), line: index + 1 });
  });
  return out;
}

/** The anchors GitHub makes of a file's headings: lower case, punctuation dropped, spaces to hyphens. */
function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const lines = readFileSync(file, 'utf8').split('\n');
  let fence: string | null = null;
  for (const line of lines) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      continue;
    }
    const heading = fence === null ? /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line) : null;
    if (!heading) continue;
    const text = heading[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

type Link = { file: string; line: number; target: string };

function links(file: string): Link[] {
  return prose(file).flatMap(({ text, line }) =>
    [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => ({
      file,
      line,
      target: match[1],
    })),
  );
}

/** What is wrong with a relative link (null: nothing). */
function brokenLink({ file, target }: Link): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // https:, mailto: …: not ours to check
  const [path, fragment] = target.split('#', 2);
  const destination = path === '' ? join(root, file) : resolve(dirname(join(root, file)), decodeURIComponent(path));
  if (!destination.startsWith(root)) return 'points outside the repository';
  if (!existsSync(destination)) return `${relative(root, destination)} does not exist`;
  if (fragment === undefined) return null;
  if (!statSync(destination).isFile() || !destination.endsWith('.md'))
    return 'a #fragment of a file that is not Markdown';
  return anchors(destination).has(fragment) ? null : `${relative(root, destination)} has no heading #${fragment}`;
}

describe('the documentation', () => {
  it('keeps the README a front page: at most 400 lines', () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(400);
  });

  it('has only relative links that reach an existing file and heading', () => {
    const all = pages.flatMap(links);
    expect(all.length).toBeGreaterThan(50);
    const broken = all
      .map((link) => ({ link, problem: brokenLink(link) }))
      .filter(({ problem }) => problem !== null)
      .map(({ link, problem }) => `${link.file}:${link.line} (${link.target}): ${problem}`);
    expect(broken).toEqual([]);
  });

  it('finds headings as GitHub names them', () => {
    const api = anchors(join(root, 'docs/api.md'));
    expect(api).toContain('api-documentation-openapi-and-postman');
    expect(anchors(join(root, 'docs/auth.md'))).toContain('auth--apiauth');
    expect(anchors(join(root, 'docs/storage.md'))).toContain('object-storage-s3');
  });

  it('has sessions the smoke test can run: the README first, with the restart, then docs/ by file name', () => {
    // tests/artifact/doc-sessions.mjs is what the smoke test reads the blocks with (an ES module).
    const script = `import { documentedSessions } from './tests/artifact/doc-sessions.mjs';
      console.log(JSON.stringify(documentedSessions('.').map(({ file, afterRestart, expected }) => ({ file, afterRestart, checked: expected !== null }))));`;
    const blocks = JSON.parse(
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }),
    ) as { file: string; afterRestart: boolean; checked: boolean }[];
    const files = blocks.map((block) => block.file).filter((file, index, list) => list.indexOf(file) === index);
    expect(files[0]).toBe('README.md');
    expect(files.slice(1)).toEqual([...files.slice(1)].sort());
    expect(files).toEqual(expect.arrayContaining(['docs/galleries.md', 'docs/share-links.md', 'docs/api.md']));
    expect(blocks.filter((block) => block.afterRestart).map((block) => block.file)).toEqual(['README.md']);
    expect(blocks.every((block) => block.checked)).toBe(true);
  });
});

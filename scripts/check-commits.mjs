// Commit messages: a subject of at most 72 characters, then (when there is more) a blank line and
// the body. `node scripts/check-commits.mjs` checks every commit since the rule began (CI runs it);
// `--message-file <path>` checks one message, as the commit-msg hook in scripts/git-hooks/ does
// (`git config core.hooksPath scripts/git-hooks` turns it on).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The first commit made under the rule; the history before it is left as it was. */
const FIRST = 'ebe65862037aaed997d550aaf069868f3402838e';
const MAX_SUBJECT = 72;

/** What is wrong with a message, if anything. */
export function problemsOf(message) {
  const lines = message
    .replace(/\r/g, '')
    .split('\n')
    .filter((line) => !line.startsWith('#'));
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  const problems = [];
  const subject = lines[0] ?? '';
  if (subject.trim() === '') problems.push('the subject (first line) is empty');
  if ([...subject].length > MAX_SUBJECT)
    problems.push(`the subject has ${[...subject].length} characters; at most ${MAX_SUBJECT}`);
  if (lines.length > 1 && lines[1].trim() !== '')
    problems.push('the second line must be blank: subject, blank line, body');
  return problems;
}

const git = (...args) => execFileSync('git', args, { encoding: 'utf8' });

function commitsToCheck() {
  let known = true;
  try {
    execFileSync('git', ['cat-file', '-e', `${FIRST}^{commit}`], { stdio: 'ignore' });
  } catch {
    known = false; // a shallow clone: only what it has
  }
  const range = known ? [`${FIRST}^..HEAD`] : ['-n', '1', 'HEAD'];
  return git('rev-list', ...range)
    .split('\n')
    .filter(Boolean);
}

const fileArg = process.argv.indexOf('--message-file');
if (fileArg !== -1) {
  const problems = problemsOf(readFileSync(process.argv[fileArg + 1], 'utf8'));
  for (const problem of problems) console.error(`commit message: ${problem}`);
  process.exit(problems.length > 0 ? 1 : 0);
}
let bad = 0;
const commits = commitsToCheck();
for (const commit of commits) {
  const problems = problemsOf(git('log', '-1', '--format=%B', commit));
  if (problems.length === 0) continue;
  bad += 1;
  console.error(`${commit.slice(0, 10)} ${git('log', '-1', '--format=%s', commit).trim()}\n  ${problems.join('\n  ')}`);
}
console.log(`commit messages: ${commits.length - bad} of ${commits.length} well formed`);
process.exit(bad > 0 ? 1 : 0);

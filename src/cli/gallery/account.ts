import { hostname } from 'node:os';
import { createInterface } from 'node:readline';

import { apiClient, messageOf, must, type Me } from './api';
import { CliError, print } from './output';
import {
  credentialsFile,
  currentCredentials,
  readCredentials,
  removeCredentials,
  serverUrl,
  writeCredentials,
} from './settings';

/** Asks on the terminal; `hidden`: what is typed is not shown (a password). */
function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (hidden) {
    const own = rl as unknown as { _writeToOutput: (text: string) => void };
    own._writeToOutput = (text: string) => {
      if (text.startsWith(question)) process.stderr.write(question);
    };
  }
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

/** The first line of standard input (a password piped in). */
async function stdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

type LoginOptions = { server: string; username?: string; passwordStdin?: boolean; otp?: string; json?: boolean };

const TWO_FACTOR =
  'This account signs in with a second factor: give the code of its authenticator app (or a recovery code) with --otp CODE.';

/**
 * The password sign-in, with the one-time code of an account with two-factor sign-in: `--otp`, or
 * asked for on a terminal when the server asks for one.
 */
async function passwordLogin(server: string, credentials: { username: string; password: string }, otp?: string) {
  const anonymous = apiClient(server);
  const send = (code?: string) =>
    anonymous.POST('/api/auth/login', { body: { ...credentials, ...(code ? { otp: code } : {}) } });
  let reply = await send(otp);
  const asked = (reply.error as { code?: string } | undefined)?.code === 'OTP_REQUIRED';
  if (asked && !process.stdin.isTTY) throw new CliError(TWO_FACTOR);
  if (asked) reply = await send(await ask('Code from your authenticator app: '));
  return must(reply, 'Sign-in failed');
}

/**
 * Signs in with a username and password (asked for on a terminal; with --password-stdin, the first
 * line of standard input) and, for an account with two-factor sign-in, a code (`--otp`, or asked
 * for on a terminal), makes a personal token named after this computer, signs the login's
 * own token out, and keeps the personal token in the config folder (0600).
 */
export async function login(options: LoginOptions): Promise<void> {
  const server = serverUrl(options.server);
  const tty = Boolean(process.stdin.isTTY);
  const username = options.username ?? (tty ? await ask('Username: ') : '');
  if (!username) throw new CliError('A username is needed: --username NAME, or run it on a terminal.', 2);
  const password = options.passwordStdin || !tty ? await stdinLine() : await ask('Password: ', true);
  const signedIn = await passwordLogin(server, { username, password }, options.otp);
  const session = apiClient(server, signedIn.token);
  const made = must(
    await session.POST('/api/auth/tokens', {
      body: { name: `gallery CLI on ${hostname()}`.slice(0, 100), scope: 'read-write' },
    }),
    'Could not make a personal token',
  );
  await session.POST('/api/auth/logout').catch(() => undefined);
  const file = writeCredentials({ server, token: made.token, username, tokenId: made.id });
  print(options.json ?? false, { server, username, credentials: file }, () => [
    `Signed in to ${server} as ${username}; the token is kept in ${file}.`,
  ]);
}

/** Revokes the stored token on its server (when it answers) and forgets it. */
export async function logout(options: { json?: boolean }): Promise<void> {
  const stored = readCredentials();
  if (!stored) {
    print(options.json ?? false, { signedOut: false }, () => ['Not signed in.']);
    return;
  }
  let revoked = true;
  try {
    const { response, error } = await apiClient(stored.server, stored.token).POST('/api/auth/logout');
    revoked = response.ok || response.status === 401;
    if (!revoked) process.stderr.write(`The server did not revoke the token: ${messageOf(error, response)}\n`);
  } catch {
    revoked = false;
    process.stderr.write(`${stored.server} could not be reached: the token was not revoked there.\n`);
  }
  removeCredentials();
  print(options.json ?? false, { signedOut: true, revoked }, () => [
    `Signed out of ${stored.server}; ${credentialsFile()} removed.`,
  ]);
}

/** The signed-in user, as the server sees the token. */
export async function whoami(options: { json?: boolean }): Promise<Me> {
  const { server, token } = currentCredentials();
  const me = must(await apiClient(server, token).GET('/api/auth/me'), 'Who am I');
  print(options.json ?? false, { server, ...me }, () => [`${me.username} (${me.roleLabel ?? 'no role'}) on ${server}`]);
  return me;
}

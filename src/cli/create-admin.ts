// Creates an admin account, like Django's createsuperuser.
//   npm run create-admin -- --username alice --email alice@example.com
// (a production install runs the same with: node dist/cli/create-admin.js --username …)
// The password is asked for (hidden) on a terminal, or read from the first line of standard input:
//   printf '%s\n' "$PASSWORD" | npm run create-admin -- --username alice --email alice@example.com
// It is never taken from the command line, where other users could see it.
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import bcrypt from 'bcrypt';
import { z } from 'zod';

import { prepareAppDatabase } from '../app/database';
import { passwordField, USERNAME_RULE } from '../features/auth';
import { createRolesService } from '../features/roles';
import { createAccounts } from '../features/users';
import { loadConfig } from '../shared/config';

const input = z.object({
  username: z.string().trim().min(1).max(150).regex(USERNAME_RULE, 'letters, digits and @ . + - _ only'),
  email: z.email().max(254),
  password: passwordField,
});

function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  if (hidden && process.stdin.isTTY) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      write.call(rl, s.startsWith(question) ? question : '');
    };
  }
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden && process.stdin.isTTY) process.stdout.write('\n');
      resolve(answer);
    });
  });
}

async function readStdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}

async function main() {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const { values } = parseArgs({ options: { username: { type: 'string' }, email: { type: 'string' } } });
  const tty = process.stdin.isTTY;
  const username = values.username ?? (tty ? await ask('Username: ') : '');
  const email = values.email ?? (tty ? await ask('Email: ') : '');
  let password: string;
  if (tty) {
    password = await ask('Password: ', true);
    if ((await ask('Password (again): ', true)) !== password) throw new Error('Passwords do not match.');
  } else {
    password = await readStdinLine();
  }
  const parsed = input.safeParse({ username, email, password });
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'));
  }
  if (parsed.data.password.toLowerCase() === parsed.data.username.toLowerCase()) {
    throw new Error('password: must not be the same as the username');
  }

  const config = loadConfig();
  const { db, close } = await prepareAppDatabase(config.databaseUrl);
  try {
    const accounts = createAccounts(db);
    if (await accounts.findConflict(parsed.data.username, parsed.data.email)) {
      throw new Error('A user with that username or email already exists.');
    }
    const role = await createRolesService({ db }).find('admin');
    if (!role) throw new Error('The admin role is missing.');
    const user = await accounts.create({
      username: parsed.data.username,
      email: parsed.data.email,
      passwordHash: await bcrypt.hash(parsed.data.password, config.bcryptCost),
      roleId: role.id,
    });
    console.log(`Admin "${user.username}" created (id ${user.id}).`);
  } finally {
    await close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);

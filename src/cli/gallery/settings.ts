import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

import { CliError } from './output';

/** What `gallery login` keeps: the server, the personal token it made there, and whose it is. */
export type Credentials = { server: string; token: string; username?: string; tokenId?: number };

/** `$XDG_CONFIG_HOME/gallery`, or `~/.config/gallery`. */
export function configDir(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'gallery');
}

export const credentialsFile = () => join(configDir(), 'credentials.json');

export function readCredentials(): Credentials | null {
  try {
    const stored = JSON.parse(readFileSync(credentialsFile(), 'utf8')) as Partial<Credentials>;
    return typeof stored.server === 'string' && typeof stored.token === 'string' ? (stored as Credentials) : null;
  } catch {
    return null;
  }
}

/** Written to a new file readable by its owner only (0600), then renamed over the old one. */
export function writeCredentials(credentials: Credentials): string {
  const file = credentialsFile();
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

export function removeCredentials(): void {
  rmSync(credentialsFile(), { force: true });
}

/** A server address as the client calls it: no trailing slash. */
export function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`Not a server address: ${value} (e.g. http://localhost:8000)`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`Not an http(s) address: ${value}`, 2);
  return url.toString().replace(/\/+$/, '');
}

/**
 * The server and token to use: GALLERY_SERVER and GALLERY_TOKEN when set (each overrides what
 * `gallery login` stored), else the stored ones.
 */
export function currentCredentials(): Credentials {
  const stored = readCredentials();
  const server = process.env.GALLERY_SERVER || stored?.server;
  const token = process.env.GALLERY_TOKEN || stored?.token;
  if (!server || !token) {
    throw new CliError('Not signed in: run gallery login --server URL, or set GALLERY_SERVER and GALLERY_TOKEN.', 2);
  }
  return { server: serverUrl(server), token, username: stored?.username };
}

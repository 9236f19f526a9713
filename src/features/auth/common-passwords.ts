import list from './common-passwords.json';

const COMMON = new Set(list.passwords.map((password) => password.toLowerCase()));

/** True for the 10,000 most common passwords (whatever the case), which guessing tries first. */
export function isCommonPassword(password: string): boolean {
  return COMMON.has(password.toLowerCase());
}

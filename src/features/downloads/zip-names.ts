/** The longest name part before its extension, in characters (code points). */
const MAX_BASE = 100;

// Control characters (C0, DEL, C1), the bidi controls and invisible direction marks: a name with
// them reads as something else ("photo\u202Egpj.exe").
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/gu;
// Path separators and what Windows refuses in a file name.
const RESERVED_CHARACTERS = /[\\/<>:"|?*]/gu;
// Names Windows keeps for devices, with any extension ("CON.jpg" cannot be made either).
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;

/**
 * A file name's base from a title: no path separators, no control or bidi characters, no
 * leading dots (no hidden files, no `..`), no trailing dots or spaces (Windows drops them), no
 * device name, at most MAX_BASE characters; `fallback` when nothing is left.
 */
export function safeBaseName(title: string, fallback: string): string {
  const cleaned = title
    .normalize('NFC')
    .replace(UNSAFE, ' ')
    .replace(RESERVED_CHARACTERS, '_')
    .replace(/\s+/gu, ' ')
    .replace(/^[\s.]+/u, '');
  const capped = Array.from(cleaned).slice(0, MAX_BASE).join('');
  const base = capped.replace(/[\s.]+$/u, '');
  if (!base) return fallback;
  return DEVICE_NAMES.test(base) ? `_${base}` : base;
}

/**
 * Hands out names that are unique in one archive, compared without case (on Windows and macOS
 * "Beach.jpg" and "beach.jpg" are one file): the second "Beach.jpg" is "Beach (2).jpg".
 */
export function uniqueNames(reserved: string[] = []) {
  const taken = new Set(reserved.map((name) => name.toLowerCase()));
  return (base: string, extension: string): string => {
    let name = `${base}.${extension}`;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n}).${extension}`;
    taken.add(name.toLowerCase());
    return name;
  };
}

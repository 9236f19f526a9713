import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One entry of an archive as Python's zipfile reads it. */
export type UnzippedEntry = {
  name: string;
  size: number;
  /** 0: stored, 8: deflated. */
  compressType: number;
  /** Local time, as zip entries keep it (2-second steps). */
  dateTime: number[];
  /** SHA-256 of its bytes (hex); null when not read (`hash: false`). */
  sha256: string | null;
  headerOffset: number;
};

export type Unzipped = {
  entries: UnzippedEntry[];
  /** manifest.json, parsed. */
  manifest: Record<string, unknown> & { images: Record<string, unknown>[] };
  /** zipfile's testzip(): every entry read and its CRC-32 checked; null when all are right. */
  firstBadEntry: string | null;
};

// Reads the archive with Python's zipfile: the central directory (ZIP64 too), each entry's bytes
// with its CRC-32 checked (when hashing), and the manifest.
const READER = `
import hashlib, json, sys, zipfile
path, hash_all, only = sys.argv[1], sys.argv[2] == '1', sys.argv[3]
with zipfile.ZipFile(path) as z:
    entries = []
    for info in z.infolist():
        digest = None
        if hash_all or info.filename == only:
            h = hashlib.sha256()
            with z.open(info) as f:
                for chunk in iter(lambda: f.read(1 << 20), b''):
                    h.update(chunk)
            digest = h.hexdigest()
        entries.append({'name': info.filename, 'size': info.file_size, 'compressType': info.compress_type,
                        'dateTime': list(info.date_time), 'sha256': digest, 'headerOffset': info.header_offset})
    bad = z.testzip() if hash_all else None
    manifest = json.loads(z.read('manifest.json'))
print(json.dumps({'entries': entries, 'manifest': manifest, 'firstBadEntry': bad}))
`;

/**
 * An archive read by standard tools: `unzip -t` must pass (every CRC-32), and Python's zipfile
 * lists it and hashes its entries. `path`: a file already on disk; otherwise the bytes are written
 * to a temp file first. `hash: false` reads only the central directory and the entry `only`.
 */
export function readZip(archive: Buffer | string, options: { hash?: boolean; only?: string } = {}): Unzipped {
  const hash = options.hash ?? true;
  let path = typeof archive === 'string' ? archive : '';
  const dir = join(process.env.TEST_TMP_DIR!, `zip-${randomUUID()}`);
  if (typeof archive !== 'string') {
    mkdirSync(dir, { recursive: true });
    path = join(dir, 'archive.zip');
    writeFileSync(path, archive);
  }
  try {
    if (hash) execFileSync('unzip', ['-tqq', path], { stdio: 'pipe' });
    const out = execFileSync('python3', ['-c', READER, path, hash ? '1' : '0', options.only ?? ''], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return JSON.parse(out.toString()) as Unzipped;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

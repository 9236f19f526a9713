// The resumable uploads this browser started and did not finish. tus-js-client keeps each one in
// localStorage, under `tus::<fingerprint>::<n>`, until it succeeds. The app's fingerprints start
// with the user and the gallery, then name the file (its size, time of change and name): the same
// file picked again finds its upload, and another user of the browser is never offered it. Only
// the parts of the upload panel that are loaded when needed use this, not the first load.

export type Unfinished = { key: string; uploadUrl: string; metadata: { filename: string } };

export const fingerprintOf = (owner: number, gallery: number, file?: File) =>
  `gallery:${owner}:${gallery}:${file ? `${file.size}:${file.lastModified}:${file.name}` : ''}`;

/** The unfinished uploads of `owner` into the gallery (none where the browser keeps no storage). */
export function unfinished(owner: number, gallery: number): Unfinished[] {
  try {
    const prefix = `tus::${fingerprintOf(owner, gallery)}`;
    return Object.keys(localStorage)
      .filter((key) => key.startsWith(prefix))
      .map((key) => ({ ...(JSON.parse(localStorage.getItem(key)!) as Unfinished), key }));
  } catch {
    return [];
  }
}

/** Forgets the upload at `url`: it is terminated, or about to be. */
export function forget(owner: number, gallery: number, url: string) {
  for (const upload of unfinished(owner, gallery)) if (upload.uploadUrl === url) localStorage.removeItem(upload.key);
}

// The offer to resume the resumable uploads this browser did not finish (the page was reloaded or
// closed, the connection was lost): their file names, "Resume N unfinished uploads", which opens
// the file picker (a browser cannot read a file again by itself: the person picks the same files,
// and each continues from what the server has), and "Discard", which terminates them on the
// server. Loaded with the upload panel, apart from the first load (upload-lazy.js); its rules are
// in upload.css.
import { useState } from 'preact/hooks';

import { CSRF_HEADER } from '../api/client';
import { unfinished, type Unfinished } from '../api/unfinished';
import { Picker } from './upload';

/** Terminates the uploads on the server and forgets them (already gone there: forgotten all the same). */
async function discard(list: Unfinished[]) {
  await Promise.all(
    list.map(async ({ key, uploadUrl }) => {
      const headers = { 'Tus-Resumable': '1.0.0', [CSRF_HEADER]: '1' };
      await fetch(uploadUrl, { method: 'DELETE', headers }).catch(() => {});
      localStorage.removeItem(key);
    }),
  );
}

/** Shown while none of the gallery's files is on its way (`busy`): those are not finished yet either. */
export function Resume({
  owner,
  galleryId,
  busy,
  onFiles,
}: {
  owner: number;
  galleryId: number;
  busy: boolean;
  onFiles: (files: File[]) => void;
}) {
  const [discarding, setDiscarding] = useState(false);
  const left = busy ? [] : unfinished(owner, galleryId);
  if (!left.length) return null;
  const s = left.length > 1 ? 's' : '';
  const names = left
    .map((upload) => upload.metadata.filename)
    .sort()
    .join(', ');
  return (
    <div class="resume">
      <p>{`Not finished: ${names}. To send the rest, choose the same file${s} again.`}</p>
      <Picker label={`Resume ${left.length} unfinished upload${s}`} onFiles={onFiles} />
      <button
        type="button"
        disabled={discarding}
        onClick={() => {
          setDiscarding(true);
          void discard(left).then(() => setDiscarding(false));
        }}
      >
        Discard
      </button>
    </div>
  );
}

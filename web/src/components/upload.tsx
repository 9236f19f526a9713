// Upload into a gallery: drop files or pick them. While they go: how many files and bytes are sent,
// a bar for all of them, a row for each file being sent, and Cancel. What is finished collapses into
// one sentence ("24 uploaded, 2 already here, 1 failed"), the failed files stay in view with why
// until dismissed, and "Each file" lists them all, so the photos stay on screen. Resumable uploads
// this browser did not finish (a reload, a lost connection) are offered to be resumed, with the
// same files picked again, or discarded. The queue itself lives in upload-queue.ts: it outlasts
// the screen.
import { useEffect, useState } from 'preact/hooks';

import type { Image } from '../api/client';
import { useSession } from '../session';
import { loadResume } from './upload-lazy';
import { cancel, dismiss, enqueue, isActive, useUploadQueue, type Job } from './upload-queue';

import './upload.css';

/** `onUploaded`'s `counted`: the image may be in the count loaded already (see useUploadQueue). */
export function UploadPanel({
  galleryId,
  onUploaded,
}: {
  galleryId: number;
  onUploaded: (image: Image, counted: boolean) => void;
}) {
  const owner = useSession().me?.id ?? 0;
  const jobs = useUploadQueue(galleryId, onUploaded);
  const onFiles = (files: File[]) => enqueue(owner, galleryId, files);
  const [offer, setOffer] = useState<typeof import('./upload-resume') | null>(null);
  useEffect(() => void loadResume().then(setOffer, () => {}), []);
  return (
    <section class="upload" aria-labelledby="upload-title">
      <h2 id="upload-title" class="visually-hidden">
        Upload images
      </h2>
      <DropZone onFiles={onFiles} />
      {offer && <offer.Resume owner={owner} galleryId={galleryId} busy={jobs.some(isActive)} onFiles={onFiles} />}
      {jobs.length > 0 && <Uploads jobs={jobs} galleryId={galleryId} />}
    </section>
  );
}

const count = (jobs: Job[], state: Job['state']) => jobs.filter((job) => job.state === state).length;

/** "24 uploaded, 2 already here, 1 failed": what became of the finished files. */
export function outcome(jobs: Job[]): string {
  const parts: [number, string][] = [
    [count(jobs, 'done'), 'uploaded'],
    [count(jobs, 'duplicate'), 'already here'],
    [count(jobs, 'failed'), 'failed'],
    [count(jobs, 'cancelled'), 'cancelled'],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`)
    .join(', ');
}

const bytes = (n: number) => (n < 1024 * 1024 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

function Uploads({ jobs, galleryId }: { jobs: Job[]; galleryId: number }) {
  const active = jobs.some(isActive);
  const summary = outcome(jobs);
  const shown = jobs.filter((job) => job.state === 'sending' || job.state === 'failed');
  return (
    <div class="uploads">
      <div class="upload-status">
        <div>
          {active && <Overall jobs={jobs} />}
          <p role="status" class="upload-summary">
            {summary}
          </p>
        </div>
        {active ? (
          <button type="button" onClick={() => cancel(galleryId)}>
            Cancel uploads
          </button>
        ) : (
          <button
            type="button"
            onClick={(e) => {
              // The button goes with what it dismisses: the keyboard stays in the panel.
              e.currentTarget.closest('.upload')?.querySelector('input')?.focus();
              dismiss(galleryId);
            }}
          >
            Dismiss
          </button>
        )}
      </div>
      {shown.length > 0 && (
        <ul class="jobs" aria-label="Uploads">
          {shown.map((job) => (
            <JobRow key={job.id} job={job} />
          ))}
        </ul>
      )}
      <details class="upload-each">
        <summary>Each file</summary>
        <ul class="jobs" aria-label="Each file">
          {jobs.map((job) => (
            <li key={job.id} class={`job ${job.state}`}>
              <span class="job-name">{job.name}</span>
              <JobState job={job} />
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

/** Files and bytes of the round being sent, and one bar for them all. */
function Overall({ jobs }: { jobs: Job[] }) {
  const round = Math.max(...jobs.map((job) => job.round));
  const mine = jobs.filter((job) => job.round === round);
  const total = mine.reduce((sum, job) => sum + job.size, 0);
  const sent = mine.reduce((sum, job) => sum + job.size * (isActive(job) ? job.progress : 1), 0);
  const finished = mine.filter((job) => !isActive(job)).length;
  return (
    <>
      <p class="upload-overall">
        Uploading: {finished} of {mine.length} files · {bytes(sent)} of {bytes(total)}
      </p>
      <progress max={total || 1} value={sent} aria-label="All uploads" />
    </>
  );
}

function JobRow({ job }: { job: Job }) {
  return (
    <li class={`job ${job.state}`}>
      <span class="job-name">{job.name}</span>
      {job.state === 'sending' && <progress max={1} value={job.progress} aria-label={`Upload of ${job.name}`} />}
      <JobState job={job} alert />
    </li>
  );
}

function JobState({ job, alert = false }: { job: Job; alert?: boolean }) {
  return (
    <span class="job-state" role={alert && job.state === 'failed' ? 'alert' : undefined}>
      {job.state === 'waiting' && 'Waiting'}
      {job.state === 'sending' && `${Math.round(job.progress * 100)} %`}
      {job.state === 'done' && 'Uploaded'}
      {job.state === 'duplicate' && 'Already in this gallery'}
      {job.state === 'cancelled' && 'Cancelled'}
      {job.state === 'failed' && job.message}
    </span>
  );
}

function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [over, setOver] = useState(false);
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  };
  return (
    <div
      class={over ? 'drop over' : 'drop'}
      data-testid="dropzone"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p>Drop images here, or</p>
      <Picker label="Choose images…" onFiles={onFiles} />
    </div>
  );
}

export function Picker({ label, onFiles }: { label: string; onFiles: (files: File[]) => void }) {
  return (
    <label class="button primary">
      {label}
      <input
        type="file"
        class="visually-hidden"
        accept="image/jpeg,image/png,image/gif,image/webp,image/avif"
        multiple
        onChange={(e) => {
          const files = [...(e.currentTarget.files ?? [])];
          e.currentTarget.value = '';
          if (files.length) onFiles(files);
        }}
      />
    </label>
  );
}

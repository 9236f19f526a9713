// Upload into a gallery: drop files or pick them; each file gets a row with a progress bar and what
// became of it (uploaded, already there, or why it was refused). Two files are sent at a time.
import { useState } from 'preact/hooks';

import type { Image } from '../api/client';
import { uploadImage } from '../api/upload';

type Job = {
  id: number;
  name: string;
  progress: number;
  state: 'waiting' | 'sending' | 'done' | 'duplicate' | 'failed';
  message?: string;
};

const PARALLEL = 2;
let nextJob = 1;

const titleOf = (name: string) => name.replace(/\.[^.]+$/, '').slice(0, 200) || 'Untitled';

/** The rows of the files sent, and `start` to send more (finished rows of earlier batches go). */
function useUploads(galleryId: number, onUploaded: (image: Image) => void) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const update = (id: number, change: Partial<Job>) =>
    setJobs((all) => all.map((j) => (j.id === id ? { ...j, ...change } : j)));

  const start = (files: File[]) => {
    const queued = files.map((file) => ({
      file,
      job: { id: nextJob++, name: file.name, progress: 0, state: 'waiting' as const },
    }));
    setJobs((all) => [
      ...queued.map((q) => q.job),
      ...all.filter((j) => j.state === 'sending' || j.state === 'waiting' || j.state === 'failed'),
    ]);
    let at = 0;
    const worker = async () => {
      while (at < queued.length) {
        const { file, job } = queued[at++];
        update(job.id, { state: 'sending' });
        const result = await uploadImage({ title: titleOf(file.name), gallery: galleryId }, file, (progress) =>
          update(job.id, { progress }),
        );
        if (result.ok) {
          update(job.id, { state: result.status === 200 ? 'duplicate' : 'done', progress: 1 });
          onUploaded(result.image);
        } else {
          update(job.id, { state: 'failed', message: result.message });
        }
      }
    };
    for (let i = 0; i < Math.min(PARALLEL, queued.length); i++) void worker();
  };
  return { jobs, start };
}

export function UploadPanel({ galleryId, onUploaded }: { galleryId: number; onUploaded: (image: Image) => void }) {
  const { jobs, start } = useUploads(galleryId, onUploaded);
  return (
    <section class="upload" aria-labelledby="upload-title">
      <h2 id="upload-title" class="visually-hidden">
        Upload images
      </h2>
      <DropZone onFiles={start} />
      {jobs.length > 0 && <JobList jobs={jobs} />}
    </section>
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
      <label class="button primary">
        Choose images…
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
    </div>
  );
}

function JobList({ jobs }: { jobs: Job[] }) {
  return (
    <ul class="jobs" aria-label="Uploads">
      {jobs.map((job) => (
        <li key={job.id} class={`job ${job.state}`}>
          <span class="job-name">{job.name}</span>
          <progress max={1} value={job.progress} aria-label={`Upload of ${job.name}`} />
          <span class="job-state" role={job.state === 'failed' ? 'alert' : undefined}>
            {job.state === 'waiting' && 'Waiting'}
            {job.state === 'sending' && `${Math.round(job.progress * 100)} %`}
            {job.state === 'done' && 'Uploaded'}
            {job.state === 'duplicate' && 'Already in this gallery'}
            {job.state === 'failed' && job.message}
          </span>
        </li>
      ))}
    </ul>
  );
}

// The uploads of this browser tab, kept outside any screen: moving to another screen of the app and
// back shows the same list, still going. Two files are sent at a time (over all galleries). While a
// file is sending or waiting, leaving the page asks first (`beforeunload`).
import { useEffect, useRef, useState } from 'preact/hooks';

import type { UploadedImage } from '../api/client';
import { uploadImage } from '../api/upload';

export type JobState = 'waiting' | 'sending' | 'done' | 'duplicate' | 'failed' | 'cancelled';

export type Job = {
  id: number;
  galleryId: number;
  /** The files dropped together while the gallery had nothing going belong to one round. */
  round: number;
  name: string;
  size: number;
  /** 0 to 1: how much of the file has been sent. */
  progress: number;
  state: JobState;
  message?: string;
};

const PARALLEL = 2;
let nextId = 1;
let jobs: Job[] = [];
const files = new Map<number, File>();
const sending = new Map<number, AbortController>();
const renders = new Set<() => void>();
const arrivals = new Set<(galleryId: number, image: UploadedImage) => void>();

export const isActive = (job: Job) => job.state === 'waiting' || job.state === 'sending';
const titleOf = (name: string) => name.replace(/\.[^.]+$/, '').slice(0, 200) || 'Untitled';

/** Asks before the page goes while something is still to send (the browser words the question). */
function guard(event: BeforeUnloadEvent) {
  event.preventDefault();
  event.returnValue = true; // the older browsers' way
}
let guarded = false;

function changed(next: Job[]) {
  jobs = next;
  const busy = jobs.some(isActive);
  if (busy !== guarded) {
    guarded = busy;
    if (busy) addEventListener('beforeunload', guard);
    else removeEventListener('beforeunload', guard);
  }
  for (const render of renders) render();
}

const update = (id: number, change: Partial<Job>) =>
  changed(jobs.map((job) => (job.id === id ? { ...job, ...change } : job)));

/** Starts the next waiting files while fewer than PARALLEL are sending. */
function pump() {
  for (const job of jobs) {
    if (sending.size >= PARALLEL) return;
    if (job.state === 'waiting') void send(job);
  }
}

async function send(job: Job) {
  const file = files.get(job.id)!;
  const control = new AbortController();
  sending.set(job.id, control);
  update(job.id, { state: 'sending' });
  const result = await uploadImage(
    { title: titleOf(job.name), gallery: job.galleryId },
    file,
    (progress) => update(job.id, { progress }),
    control.signal,
  );
  sending.delete(job.id);
  files.delete(job.id);
  if (control.signal.aborted) update(job.id, { state: 'cancelled' });
  else if (!result.ok) update(job.id, { state: 'failed', message: result.message });
  else {
    update(job.id, { state: result.status === 201 ? 'done' : 'duplicate', progress: 1 });
    // Only a new image changes the gallery: a duplicate is already there and counted.
    if (result.status === 201) for (const arrived of arrivals) arrived(job.galleryId, result.image);
  }
  pump();
}

/** Queues `list` for the gallery; when it had nothing going, its finished files (not the failed) go. */
export function enqueue(galleryId: number, list: File[]) {
  const mine = jobs.filter((job) => job.galleryId === galleryId);
  const idle = !mine.some(isActive);
  const round = idle ? nextId : Math.max(...mine.map((job) => job.round));
  const added = list.map((file): Job => {
    const id = nextId++;
    files.set(id, file);
    return { id, galleryId, round, name: file.name, size: file.size, progress: 0, state: 'waiting' };
  });
  const kept = idle ? jobs.filter((job) => job.galleryId !== galleryId || job.state === 'failed') : jobs;
  changed([...kept, ...added]);
  pump();
}

/** Stops the gallery's uploads: those sending are aborted, those waiting are not sent. */
export function cancel(galleryId: number) {
  const stop = jobs.filter((job) => job.galleryId === galleryId && isActive(job));
  for (const job of stop) {
    sending.get(job.id)?.abort();
    files.delete(job.id);
  }
  const ids = new Set(stop.map((job) => job.id));
  changed(jobs.map((job) => (ids.has(job.id) ? { ...job, state: 'cancelled' } : job)));
}

/** Forgets the gallery's finished files (the summary and the failures shown). */
export function dismiss(galleryId: number) {
  changed(jobs.filter((job) => job.galleryId !== galleryId || isActive(job)));
}

/**
 * The gallery's files, re-rendering on every change; `onUploaded` hears of each new image while the
 * screen is open (one added while it was not is in what the screen loads when it opens again).
 */
export function useUploadQueue(galleryId: number, onUploaded: (image: UploadedImage) => void): Job[] {
  const [, setTick] = useState(0);
  const latest = useRef(onUploaded);
  latest.current = onUploaded;
  useEffect(() => {
    const render = () => setTick((tick) => tick + 1);
    const arrived = (id: number, image: UploadedImage) => {
      if (id === galleryId) latest.current(image);
    };
    renders.add(render);
    arrivals.add(arrived);
    return () => {
      renders.delete(render);
      arrivals.delete(arrived);
    };
  }, [galleryId]);
  return jobs.filter((job) => job.galleryId === galleryId);
}

// The uploads of this browser tab, kept outside any screen: moving to another screen of the app and
// back shows the same list, still going. Two files are sent at a time (over all galleries). While a
// file is sending or waiting, leaving the page asks first (`beforeunload`). A large file goes as
// a resumable upload (api/resumable.ts, loaded then: from where the server stopped, when this
// browser has an unfinished upload of it), the others as one multipart request; the results are
// the same. Signing out stops and forgets it all.
import { useEffect, useRef, useState } from 'preact/hooks';

import type { UploadedImage } from '../api/client';
import { resultOf, resumableFrom, uploadImage } from '../api/upload';
import { loadResumable } from './upload-lazy';

export type JobState = 'waiting' | 'sending' | 'done' | 'duplicate' | 'failed' | 'cancelled';

export type Job = {
  id: number;
  /** The user who queued it (their resumable uploads are theirs). */
  owner: number;
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
const arrivals = new Set<(galleryId: number, image: UploadedImage, startedAt: number) => void>();

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
  // An image whose file started before the screen opened may be in the count it loaded.
  const startedAt = performance.now();
  update(job.id, { state: 'sending' });
  const fields = { title: titleOf(job.name), gallery: job.galleryId };
  const onProgress = (progress: number) => update(job.id, { progress });
  const result = await (file.size >= resumableFrom()
    ? loadResumable()
        .then((tus) => tus.uploadResumable(fields, file, job.owner, onProgress, control.signal))
        .catch(() => resultOf(0, null))
    : uploadImage(fields, file, onProgress, control.signal));
  sending.delete(job.id);
  files.delete(job.id);
  if (control.signal.aborted) update(job.id, { state: 'cancelled' });
  else if (!result.ok) update(job.id, { state: 'failed', message: result.message });
  else {
    update(job.id, { state: result.status === 201 ? 'done' : 'duplicate', progress: 1 });
    // Only a new image changes the gallery: a duplicate is already there and counted.
    if (result.status === 201) for (const arrived of arrivals) arrived(job.galleryId, result.image, startedAt);
  }
  pump();
}

/** Queues `list` for `owner` in the gallery; when it had nothing going, its finished files (not the failed) go. */
export function enqueue(owner: number, galleryId: number, list: File[]) {
  const mine = jobs.filter((job) => job.galleryId === galleryId);
  const idle = !mine.some(isActive);
  const round = idle ? nextId : Math.max(...mine.map((job) => job.round));
  const added = list.map((file): Job => {
    const id = nextId++;
    files.set(id, file);
    return { id, owner, galleryId, round, name: file.name, size: file.size, progress: 0, state: 'waiting' };
  });
  const kept = idle ? jobs.filter((job) => job.galleryId !== galleryId || job.state === 'failed') : jobs;
  changed([...kept, ...added]);
  pump();
}

/**
 * Signed out: every upload stops and the list goes, so that the next user of the tab sees none of
 * it. A resumable upload stays on the server for the same user to resume (fingerprints name the user).
 */
export function stopUploads() {
  for (const control of sending.values()) control.abort('keep');
  files.clear();
  changed([]);
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
 * The gallery's files, re-rendering on every change; `onUploaded` hears of each new image
 * while the screen is open (one added while it was not is in what the screen loads when it opens
 * again). `counted` says that the image may be in the count the screen loaded already: its file
 * started before the screen was open, and only the server can tell.
 */
export function useUploadQueue(galleryId: number, onUploaded: (image: UploadedImage, counted: boolean) => void): Job[] {
  const [, setTick] = useState(0);
  const latest = useRef(onUploaded);
  latest.current = onUploaded;
  useEffect(() => {
    const since = performance.now();
    const render = () => setTick((tick) => tick + 1);
    const arrived = (id: number, image: UploadedImage, startedAt: number) => {
      if (id === galleryId) latest.current(image, startedAt < since);
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

/**
 * Places in the upload and delete paths where a test can make the server process die at once
 * (SIGKILL), to prove that a crash there loses nothing and leaves nothing behind. Refused in
 * production.
 */
export const FAULT_POINTS = [
  'upload-staged',
  'upload-committed',
  'upload-stored',
  'delete-marked',
  'gallery-delete-marked',
  'resumable-written',
  'trash-purge-marked',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];

export type FaultPointHook = (name: FaultPoint) => void;

/**
 * A hook to call at each fault point of the upload and delete paths: it ends the process on the
 * spot (SIGKILL) at the one a test asked for (FAULT_POINT), and does nothing otherwise.
 */
export function faultPointHook(configured: FaultPoint | undefined): FaultPointHook {
  return (name) => {
    if (configured === name) process.kill(process.pid, 'SIGKILL');
  };
}

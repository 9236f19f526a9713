import type { FaultPoint } from './config';

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

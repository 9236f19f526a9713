// The report of the `soak` section: a table per minute and per route, then the trends after the
// warm-up (least-squares slopes) with MET/MISS lines against "nothing grows".
import type { Outcome } from './soak-load';
import { percentile, printTable, verdict } from './util';

/** One look at the server process, `t` minutes into the load. */
export type ProcessSample = { t: number; rss: number; fds: number; handles: number; heap: number };

export type SoakReport = {
  label: string;
  options: { minutes: number; rate: number; warmupMinutes: number };
  outcomes: Outcome[];
  samples: ProcessSample[];
  /** How late each scheduled request left, ms. */
  lag: number[];
  resent: number;
  counts: Record<string, number>;
  library: { visible: number; trashed: number; seeded: number };
};

/** How often the server process is looked at. */
export const SAMPLE_SECONDS = 5;

export const GOALS = { rssMibPerMin: 0.5, fdsPerMin: 0.1, handlesPerMin: 0.1, p99Growth: 1.5 };

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function slope(points: [number, number][]): number {
  const usable = points.filter(([, y]) => Number.isFinite(y));
  const n = usable.length;
  const mx = usable.reduce((sum, [x]) => sum + x, 0) / n;
  const my = usable.reduce((sum, [, y]) => sum + y, 0) / n;
  const sxy = usable.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = usable.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return n < 2 || sxx === 0 ? NaN : sxy / sxx;
}

const MINUTE = 60_000;
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const tally = (outcomes: Outcome[], kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;

function minuteTable(r: SoakReport) {
  const rows: string[][] = [];
  for (let m = 1; m <= Math.ceil(r.options.minutes); m++) {
    const inMinute = r.outcomes.filter((o) => o.at >= (m - 1) * MINUTE && o.at < m * MINUTE);
    const ms = inMinute.map((o) => o.ms);
    // The sample nearest the end of this minute.
    const end = Math.min(m, r.options.minutes);
    const sample = r.samples.reduce((a, b) => (Math.abs(b.t - end) < Math.abs(a.t - end) ? b : a));
    const within = r.samples.filter((s) => s.t > m - 1 && s.t <= end + 0.05);
    const span = (pick: (s: ProcessSample) => number) => {
      const values = within.map(pick).filter(Number.isFinite);
      return values.length === 0 ? '–' : `${Math.min(...values)}–${Math.max(...values)}`;
    };
    rows.push([
      String(m),
      String(inMinute.length),
      fixed(percentile(ms, 50)),
      fixed(percentile(ms, 99)),
      String(tally(inMinute, 'error')),
      String(tally(inMinute, 'unexpected')),
      String(tally(inMinute, 'expected')),
      fixed(sample.rss),
      fixed(sample.heap),
      span((s) => s.fds),
      span((s) => s.handles),
    ]);
  }
  printTable(
    ['minute', 'requests', 'p50 ms', 'p99 ms', '5xx/net', 'other', 'races', 'RSS MiB', 'heap MiB', 'fds', 'handles'],
    rows,
    [7, 10, 9, 9, 9, 7, 7, 9, 10, 8, 9],
  );
  console.log(
    '  (5xx/net: 5xx replies and failed connections; other: any other reply that is not 2xx; races: 404/409 from\n' +
      "   the load's own deletes and restores crossing its reads; RSS, heap: at the minute's end; fds, handles:\n" +
      '   least–most of the samples in the minute)',
  );
}

function routeTable(r: SoakReport) {
  const routes = [...new Set(r.outcomes.map((o) => o.route))].sort();
  const rows = routes.map((route) => {
    const of = r.outcomes.filter((o) => o.route === route);
    const ms = of.map((o) => o.ms);
    return [
      route,
      String(of.length),
      fixed(percentile(ms, 50)),
      fixed(percentile(ms, 99)),
      fixed(Math.max(...ms), 0),
      String(tally(of, 'error')),
      String(tally(of, 'unexpected')),
      String(tally(of, 'expected')),
    ];
  });
  printTable(
    ['route', 'requests', 'p50 ms', 'p99 ms', 'max ms', '5xx/net', 'other', 'races'],
    rows,
    [26, 10, 9, 9, 9, 9, 7, 7],
  );
}

/** The windows after the warm-up: a minute each, or a sixth of the measured time when that is shorter. */
function windows(from: number, to: number): [number, number][] {
  const width = Math.min(MINUTE, (to - from) / 6);
  const all: [number, number][] = [];
  for (let start = from; start + width <= to + 1; start += width) all.push([start, start + width]);
  return all;
}

/** One point per window (at its middle, in minutes) of what `of` makes of the window. */
function perWindow(from: number, to: number, of: (start: number, end: number) => number): [number, number][] {
  return windows(from, to)
    .map(([start, end]): [number, number] => [(start + end) / 2 / MINUTE, of(start, end)])
    .filter(([, y]) => Number.isFinite(y));
}

function unexpectedLines(r: SoakReport): string[] {
  const groups = new Map<string, { count: number; note?: string }>();
  for (const o of r.outcomes.filter((x) => x.kind === 'unexpected' || x.kind === 'error')) {
    const key = `${o.route} → ${o.status === 0 ? 'no reply' : o.status}`;
    const group = groups.get(key) ?? { count: 0, note: o.note };
    group.count++;
    groups.set(key, group);
  }
  return [...groups].map(([key, { count, note }]) => `  ${count} × ${key}: ${note ?? ''}`);
}

/**
 * The slopes after the warm-up. RSS and heap: every sample. Descriptors and handles: the least of
 * each window, their floor, since the connections in flight at the moment of a sample (the load's
 * own, the database pool's) come and go by the dozen while a leak raises the floor.
 */
function trends(r: SoakReport) {
  const from = r.options.warmupMinutes * MINUTE;
  const to = r.options.minutes * MINUTE;
  const after = r.samples.filter((s) => s.t * MINUTE >= from);
  const trend = (pick: (s: ProcessSample) => number) => slope(after.map((s) => [s.t, pick(s)]));
  const floor = (pick: (s: ProcessSample) => number) =>
    slope(
      perWindow(from, to, (start, end) =>
        Math.min(...after.filter((s) => s.t * MINUTE >= start && s.t * MINUTE < end).map(pick)),
      ),
    );
  const latencies = (start: number, end: number) =>
    r.outcomes.filter((o) => o.at >= start && o.at < end).map((o) => o.ms);
  const third = (to - from) / 3;
  return {
    rss: trend((s) => s.rss),
    heap: trend((s) => s.heap),
    fds: floor((s) => s.fds),
    handles: floor((s) => s.handles),
    p99: slope(perWindow(from, to, (start, end) => percentile(latencies(start, end), 99))),
    firstP99: percentile(latencies(from, from + third), 99),
    lastP99: percentile(latencies(to - third, to + 1), 99),
    points: after.length,
  };
}

export function report(r: SoakReport): void {
  const { minutes, rate, warmupMinutes } = r.options;
  const scheduled = r.lag.length;
  console.log(
    `\n${r.label}: ${rate} requests/s scheduled for ${minutes} min (open loop), warm-up ${fixed(warmupMinutes)} min, server in its own process, node ${process.version}\n`,
  );
  minuteTable(r);
  console.log('');
  routeTable(r);
  const c = r.counts;
  console.log(
    `\nschedule: ${scheduled} requests due, late to leave p99 ${fixed(percentile(r.lag, 99))} ms, max ${fixed(Math.max(...r.lag), 0)} ms; ${r.resent} sent again after a closed kept-alive connection`,
  );
  console.log(
    `library: ${r.library.seeded} images at the start, ${r.library.visible} at the end, ${r.library.trashed} in the trash; ${c.uploaded} uploaded, ${c.trashed} trashed, ${c.restored} restored, the trash emptied ${c.emptied} times (${c.purged} images); ${c.nothingToRestore} restores found nothing to restore (listed the trash)`,
  );
  const problems = unexpectedLines(r);
  if (problems.length > 0) console.log(`replies that are not 2xx nor a known race:\n${problems.join('\n')}`);

  const t = trends(r);
  console.log(
    `\nafter the warm-up (${t.points} samples, every ${SAMPLE_SECONDS} s; fds and handles: their floor): RSS ${fixed(t.rss, 2)} MiB/min, heap ${fixed(t.heap, 2)} MiB/min, fds ${fixed(t.fds, 2)}/min, handles ${fixed(t.handles, 2)}/min, p99 ${fixed(t.p99, 2)} ms/min`,
  );
  const growth = t.lastP99 / t.firstP99;
  const errors = tally(r.outcomes, 'error');
  const other = tally(r.outcomes, 'unexpected');
  const lines = [
    verdict(
      t.rss < GOALS.rssMibPerMin,
      `${r.label}: RSS trend ${fixed(t.rss, 2)} MiB/min (target < ${GOALS.rssMibPerMin})`,
    ),
    verdict(
      t.fds < GOALS.fdsPerMin,
      `${r.label}: open fds trend (floor) ${fixed(t.fds, 2)}/min (target < ${GOALS.fdsPerMin})`,
    ),
    Number.isFinite(t.handles)
      ? verdict(
          t.handles < GOALS.handlesPerMin,
          `${r.label}: active handles trend (floor) ${fixed(t.handles, 2)}/min (target < ${GOALS.handlesPerMin})`,
        )
      : `info  ${r.label}: no nodejs_active_handles_total in /metrics`,
    verdict(
      growth <= GOALS.p99Growth,
      `${r.label}: p99 of the last third ${fixed(t.lastP99)} ms = ${fixed(growth, 2)} × the first third after the warm-up (${fixed(t.firstP99)} ms; target ≤ ${GOALS.p99Growth})`,
    ),
    verdict(errors === 0, `${r.label}: ${errors} 5xx replies or failed requests (target 0)`),
    verdict(other === 0, `${r.label}: ${other} other non-2xx replies, races aside (target 0)`),
  ];
  console.log(lines.join('\n'));
}

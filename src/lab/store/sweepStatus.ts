// Every rule about a sweep's status, in one table: what each event does to each status, given
// the sweep's probe counts. Pure; the store writes what it answers, and the runner, the service
// and merge ask it rather than compare statuses themselves.
import type { SweepStatus } from '../../contract/labApi';

/** What can happen to a sweep. */
export type SweepEvent =
  /** One of its probes was handed to a worker. */
  | 'dispatch'
  | 'pause'
  | 'resume'
  | 'cancel'
  /** Its failed probes were put back in the queue. */
  | 'retry'
  /** Its probe counts changed (a probe finished, failed, was requeued): finished once nothing is left to run. */
  | 'settle'
  /** Probes finished elsewhere were copied in (merge): settled from the counts, whatever it was. */
  | 'merge'
  /** The process running it stopped (Ctrl-C, a crash found at the next open): it waits to run again. */
  | 'interrupt'
  /** A cancelled sweep's cancelled probes were put back in the queue: it runs again. */
  | 'reopen';

/** What the table needs to know about the sweep besides its status. */
export interface SweepFacts {
  queued: number;
  running: number;
  failed: number;
  /** It has run before (started_at is set): a resumed sweep is running again, not queued. */
  started: boolean;
  /** Its probes are still being inserted: what is in so far is not all there is to run. */
  queueing: boolean;
}

/** A sweep in one of these statuses never changes again by itself. */
export const TERMINAL: ReadonlySet<SweepStatus> = new Set<SweepStatus>(['done', 'failed', 'cancelled']);
/** A runner hands out the probes of sweeps in these statuses (and resumes them when it starts). */
export const RUNNABLE: ReadonlySet<SweepStatus> = new Set<SweepStatus>(['queued', 'running']);

export const isTerminal = (s: SweepStatus): boolean => TERMINAL.has(s);
export const isRunnable = (s: SweepStatus): boolean => RUNNABLE.has(s);

/** Stays as it is. */
const SAME = (s: SweepStatus): SweepStatus => s;
/** The event does not apply: the caller asked for something this status forbids. */
const REFUSED = (): null => null;

/** done, or failed if any probe failed, once nothing is queued or running (or being queued); else as it was. */
function settled(s: SweepStatus, facts: () => SweepFacts): SweepStatus {
  const f = facts();
  if (f.queued + f.running > 0 || f.queueing) return s;
  return f.failed > 0 ? 'failed' : 'done';
}

/** Facts are asked for lazily: most transitions need none. */
type Rule = (current: SweepStatus, facts: () => SweepFacts) => SweepStatus | null;

/** TABLE[event][status]: the next status, or null where the event is refused. */
const TABLE: Record<SweepEvent, Record<SweepStatus, Rule>> = {
  dispatch: {
    queued: () => 'running',
    running: SAME,
    paused: SAME,
    done: SAME,
    failed: SAME,
    cancelled: SAME,
  },
  pause: {
    queued: () => 'paused',
    running: () => 'paused',
    paused: SAME,
    done: REFUSED,
    failed: REFUSED,
    cancelled: REFUSED,
  },
  resume: {
    queued: SAME,
    running: SAME,
    paused: (_, f) => (f().started ? 'running' : 'queued'),
    done: REFUSED,
    failed: REFUSED,
    cancelled: REFUSED,
  },
  cancel: {
    queued: () => 'cancelled',
    running: () => 'cancelled',
    paused: () => 'cancelled',
    done: REFUSED,
    failed: REFUSED,
    cancelled: SAME,
  },
  retry: {
    queued: SAME,
    running: SAME,
    paused: SAME,
    // Running again only if there was something to retry.
    done: (s, f) => (f().queued > 0 ? 'running' : s),
    failed: (s, f) => (f().queued > 0 ? 'running' : s),
    cancelled: REFUSED,
  },
  settle: {
    queued: settled,
    running: settled,
    paused: settled,
    done: SAME,
    failed: SAME,
    cancelled: SAME,
  },
  merge: {
    queued: settled,
    running: settled,
    paused: settled,
    done: settled,
    failed: settled,
    cancelled: SAME,
  },
  // Nothing runs it any more: `status` must not say running.
  interrupt: {
    queued: SAME,
    running: () => 'queued',
    paused: SAME,
    done: SAME,
    failed: SAME,
    cancelled: SAME,
  },
  reopen: {
    queued: REFUSED,
    running: REFUSED,
    paused: REFUSED,
    done: REFUSED,
    failed: REFUSED,
    // Settled at once if nothing was left to run (every probe had finished before the cancel).
    cancelled: (_, f) => {
      const next = settled('running', f);
      return next === 'running' ? (f().started ? 'running' : 'queued') : next;
    },
  },
};

/** The status after `event`, or null if this status refuses it (a conflict for the caller). */
export function nextStatus(current: SweepStatus, event: SweepEvent, facts: SweepFacts | (() => SweepFacts)): SweepStatus | null {
  return TABLE[event][current](current, typeof facts === 'function' ? facts : () => facts);
}

const NO_FACTS: SweepFacts = { queued: 0, running: 0, failed: 0, started: false, queueing: false };

/** Whether this status accepts the event at all (whether it does depends on the status alone). */
export function allows(current: SweepStatus, event: SweepEvent): boolean {
  return nextStatus(current, event, NO_FACTS) !== null;
}

/**
 * Whether this transition starts the sweep's clock (started_at, kept from the first time): it
 * runs, or a merge settles it (its probes ran in the merged files).
 */
export function startsClock(event: SweepEvent, next: SweepStatus): boolean {
  return next === 'running' || (event === 'merge' && TERMINAL.has(next));
}

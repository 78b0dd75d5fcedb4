// The status table's events for managing sweeps: a process that stops running a sweep
// (interrupt) and a cancelled sweep put back to run (reopen).
import { describe, expect, it } from 'vitest';
import type { SweepStatus } from '../../contract/labApi';
import { nextStatus, type SweepFacts } from './sweepStatus';

const STATUSES: SweepStatus[] = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'];
const facts = (f: Partial<SweepFacts>): SweepFacts => ({
  queued: 0,
  running: 0,
  failed: 0,
  started: false,
  queueing: false,
  ...f,
});
const table = (event: 'interrupt' | 'reopen', f: SweepFacts) =>
  Object.fromEntries(STATUSES.map((s) => [s, nextStatus(s, event, f)]));

describe('interrupt', () => {
  it('turns a running sweep into a queued one and leaves every other status as it is', () => {
    expect(table('interrupt', facts({ queued: 3, started: true }))).toEqual({
      queued: 'queued',
      running: 'queued',
      paused: 'paused',
      done: 'done',
      failed: 'failed',
      cancelled: 'cancelled',
    });
  });
});

describe('reopen', () => {
  it('applies to a cancelled sweep only: running again if it had started, else queued', () => {
    expect(table('reopen', facts({ queued: 3, started: true }))).toEqual({
      queued: null,
      running: null,
      paused: null,
      done: null,
      failed: null,
      cancelled: 'running',
    });
    expect(nextStatus('cancelled', 'reopen', facts({ queued: 3 }))).toBe('queued');
  });

  it('settles a cancelled sweep with nothing left to run: done, or failed if a probe failed', () => {
    expect(nextStatus('cancelled', 'reopen', facts({ started: true }))).toBe('done');
    expect(nextStatus('cancelled', 'reopen', facts({ failed: 1, started: true }))).toBe('failed');
  });
});

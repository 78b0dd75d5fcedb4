import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SweepStatus } from '../../contract/labApi';
import { addTestSweep, tempDir } from '../testing/labTestSupport';
import { LabStore } from './labStore';
import { openLabDatabase } from './openDatabase';
import { RUNNABLE, TERMINAL, allows, nextStatus, startsClock, type SweepEvent, type SweepFacts } from './sweepStatus';

const STATUSES: SweepStatus[] = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'];
const EVENTS: SweepEvent[] = ['dispatch', 'pause', 'resume', 'cancel', 'retry', 'settle', 'merge'];

/** Probe counts the table tells apart: work left, nothing left with a failure, nothing left clean. */
const WORK_LEFT: SweepFacts = { queued: 3, running: 1, failed: 1, started: true, queueing: false };
const ALL_FAILED_OR_DONE: SweepFacts = { queued: 0, running: 0, failed: 2, started: true, queueing: false };
const ALL_DONE: SweepFacts = { queued: 0, running: 0, failed: 0, started: true, queueing: false };
const NEVER_STARTED: SweepFacts = { queued: 5, running: 0, failed: 0, started: false, queueing: false };
/** Everything inserted so far has run, but more probes are still being queued. */
const STILL_QUEUEING: SweepFacts = { queued: 0, running: 0, failed: 1, started: true, queueing: true };

type Row = Record<SweepStatus, SweepStatus | null>;

/** The expected table, written out in full: [event, facts] -> status -> next (null = refused). */
const EXPECTED: [SweepEvent, SweepFacts, Row][] = [
  [
    'dispatch',
    WORK_LEFT,
    { queued: 'running', running: 'running', paused: 'paused', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
  ['pause', WORK_LEFT, { queued: 'paused', running: 'paused', paused: 'paused', done: null, failed: null, cancelled: null }],
  ['resume', WORK_LEFT, { queued: 'queued', running: 'running', paused: 'running', done: null, failed: null, cancelled: null }],
  [
    'resume',
    NEVER_STARTED,
    { queued: 'queued', running: 'running', paused: 'queued', done: null, failed: null, cancelled: null },
  ],
  [
    'cancel',
    WORK_LEFT,
    { queued: 'cancelled', running: 'cancelled', paused: 'cancelled', done: null, failed: null, cancelled: 'cancelled' },
  ],
  [
    'retry',
    WORK_LEFT,
    { queued: 'queued', running: 'running', paused: 'paused', done: 'running', failed: 'running', cancelled: null },
  ],
  [
    'retry',
    ALL_DONE,
    { queued: 'queued', running: 'running', paused: 'paused', done: 'done', failed: 'failed', cancelled: null },
  ],
  [
    'settle',
    WORK_LEFT,
    { queued: 'queued', running: 'running', paused: 'paused', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
  [
    'settle',
    ALL_FAILED_OR_DONE,
    { queued: 'failed', running: 'failed', paused: 'failed', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
  [
    'settle',
    ALL_DONE,
    { queued: 'done', running: 'done', paused: 'done', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
  [
    'merge',
    WORK_LEFT,
    { queued: 'queued', running: 'running', paused: 'paused', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
  [
    'merge',
    ALL_FAILED_OR_DONE,
    { queued: 'failed', running: 'failed', paused: 'failed', done: 'failed', failed: 'failed', cancelled: 'cancelled' },
  ],
  ['merge', ALL_DONE, { queued: 'done', running: 'done', paused: 'done', done: 'done', failed: 'done', cancelled: 'cancelled' }],
  [
    'settle',
    STILL_QUEUEING,
    { queued: 'queued', running: 'running', paused: 'paused', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
  [
    'merge',
    STILL_QUEUEING,
    { queued: 'queued', running: 'running', paused: 'paused', done: 'done', failed: 'failed', cancelled: 'cancelled' },
  ],
];

describe('the sweep status table', () => {
  it.each(EXPECTED)('%s with %o', (event, facts, row) => {
    for (const status of STATUSES) expect([status, nextStatus(status, event, facts)]).toEqual([status, row[status]]);
  });

  it('covers every event', () => {
    expect(new Set(EXPECTED.map(([e]) => e))).toEqual(new Set(EVENTS));
  });

  it('refuses by status alone, whatever the counts', () => {
    for (const event of EVENTS) {
      for (const status of STATUSES) {
        const refused = [WORK_LEFT, ALL_FAILED_OR_DONE, ALL_DONE, NEVER_STARTED, STILL_QUEUEING].map(
          (f) => nextStatus(status, event, f) === null,
        );
        expect(
          refused.every((r) => r === !allows(status, event)),
          `${event} on ${status}`,
        ).toBe(true);
      }
    }
  });

  it('asks for the counts only where they matter', () => {
    let asked = 0;
    const facts = () => {
      asked++;
      return WORK_LEFT;
    };
    for (const event of ['dispatch', 'pause', 'cancel'] as const) for (const s of STATUSES) nextStatus(s, event, facts);
    expect(asked).toBe(0);
    nextStatus('running', 'settle', facts);
    expect(asked).toBe(1);
  });

  it('leaves a cancelled sweep cancelled, and a finished one finished except by retry or merge', () => {
    for (const event of EVENTS) {
      for (const facts of [WORK_LEFT, ALL_FAILED_OR_DONE, ALL_DONE]) {
        expect(nextStatus('cancelled', event, facts) ?? 'cancelled').toBe('cancelled');
        if (event === 'retry' || event === 'merge') continue;
        for (const s of ['done', 'failed'] as const) expect(nextStatus(s, event, facts) ?? s).toBe(s);
      }
    }
  });

  it('names the terminal and the runnable statuses', () => {
    expect([...TERMINAL].sort()).toEqual(['cancelled', 'done', 'failed']);
    expect([...RUNNABLE].sort()).toEqual(['queued', 'running']);
  });

  it('starts the clock when a sweep first runs, or when a merge finishes it', () => {
    expect(startsClock('dispatch', 'running')).toBe(true);
    expect(startsClock('resume', 'running')).toBe(true);
    expect(startsClock('resume', 'queued')).toBe(false);
    expect(startsClock('settle', 'done')).toBe(false);
    expect(startsClock('cancel', 'cancelled')).toBe(false);
    expect(startsClock('merge', 'done')).toBe(true);
    expect(startsClock('merge', 'failed')).toBe(true);
    expect(startsClock('merge', 'paused')).toBe(false);
  });
});

describe('the store applies the table to a real lab file', () => {
  function lab() {
    const db = openLabDatabase(join(tempDir(), 'lab.sqlite'));
    const store = new LabStore(db);
    const id = addTestSweep(store, { name: 'x', archs: ['rnn'], T: [8, 16], N: 2, D: 2, H: 2 });
    return { db, store, id, probeIds: store.listProbes(id).map((p) => p.id) };
  }

  it('stamps started_at when the sweep first runs and finished_at when it ends', () => {
    const { db, store, id, probeIds } = lab();
    expect(store.applySweepEvent(id, 'pause')).toEqual({ from: 'queued', to: 'paused' });
    expect(store.applySweepEvent(id, 'resume')).toEqual({ from: 'paused', to: 'queued' }); // never ran
    expect(store.getSweep(id)!.started_at).toBeNull();
    store.markDispatched(probeIds);
    expect(store.applySweepEvent(id, 'dispatch')).toEqual({ from: 'queued', to: 'running' });
    const started = store.getSweep(id)!.started_at;
    expect(started).not.toBeNull();
    expect(store.applySweepEvent(id, 'pause')!.to).toBe('paused');
    expect(store.applySweepEvent(id, 'resume')!.to).toBe('running'); // it ran before
    expect(store.getSweep(id)!.started_at).toBe(started);
    expect(store.settleSweep(id)).toBe('running');
    expect(store.getSweep(id)!.finished_at).toBeNull();
    for (const p of probeIds) store.failAttempt(p, 'x'); // the first of 3 attempts: back to the queue
    store.requeue(probeIds);
    expect(store.counts(id)).toMatchObject({ queued: 2, running: 0 });
    store.cancelSweep(id);
    expect(store.getSweep(id)).toMatchObject({ status: 'cancelled', started_at: started });
    expect(store.getSweep(id)!.finished_at).not.toBeNull();
    expect(store.counts(id)).toMatchObject({ cancelled: 2, queued: 0 });
    db.close();
  });

  it('refuses events the status forbids and writes nothing then', () => {
    const { db, store, id, probeIds } = lab();
    store.markDispatched(probeIds);
    for (const p of probeIds)
      store.storeResult(p, {
        steps: 1,
        seconds: 0.1,
        theory: { whSpectralNorm: 1, meanSlope: 1 },
        norms: { dh: new Float64Array(1), dWx: new Float64Array(1), dWh: new Float64Array(1), db: new Float64Array(1) },
      });
    expect(store.settleSweep(id)).toBe('done');
    const before = store.getSweep(id);
    expect(store.applySweepEvent(id, 'pause')).toBeNull();
    expect(store.cancelSweep(id)).toBeNull();
    expect(store.counts(id)).toMatchObject({ done: 2, cancelled: 0 });
    expect(store.getSweep(id)).toEqual(before);
    expect(store.applySweepEvent(id + 1, 'settle')).toBeNull(); // no such sweep
    db.close();
  });

  it('retries failed probes of a failed sweep (running again), never of a cancelled one', () => {
    const { db, store, id, probeIds } = lab();
    store.markDispatched(probeIds);
    for (let attempt = 0; attempt < 3; attempt++) {
      for (const p of probeIds) {
        store.markStarted(p);
        store.failAttempt(p, 'boom');
      }
      store.markDispatched(probeIds);
    }
    expect(store.settleSweep(id)).toBe('failed');
    expect(store.retryFailed(id)).toBe(2);
    expect(store.getSweep(id)!.status).toBe('running');
    expect(store.counts(id)).toMatchObject({ queued: 2, failed: 0 });
    store.cancelSweep(id);
    db.prepare(`UPDATE probes SET status = 'failed' WHERE sweep_id = ?`).run(id);
    expect(store.retryFailed(id)).toBe(0);
    expect(store.counts(id)).toMatchObject({ failed: 2 });
    db.close();
  });
});

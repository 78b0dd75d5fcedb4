// Which of two summaries of a sweep a client keeps (newerSummary), and the revisions the store
// gives the summaries it reads (toSweepSummary): strictly increasing, even within one tick.
import { describe, expect, it } from 'vitest';
import { newerSummary, type SweepSummary } from '../../contract/labApi';
import { toSweepSummary } from './readSummaries';
import type { SweepRow } from './labStore';

const row = {
  id: 1,
  name: 's',
  status: 'running',
  created_at: '2026-12-01T00:00:00Z',
  started_at: null,
  finished_at: null,
} as SweepRow;
const counts = { total: 4, queued: 1, running: 0, done: 3, failed: 0, cancelled: 0 };

describe('summary revisions', () => {
  it('the store numbers the summaries it reads in order, each past the one before, however fast', () => {
    const read = Array.from({ length: 1000 }, () => toSweepSummary(row, counts, null).revision!);
    for (let i = 1; i < read.length; i++) expect(read[i]).toBeGreaterThan(read[i - 1]);
    // Wall-clock milliseconds: a restarted server's summaries come after an earlier one's.
    expect(Math.abs(read[0] - Date.now())).toBeLessThan(60_000);
  });

  it('a client keeps the newer of two summaries, and takes one that does not say', () => {
    const older = toSweepSummary(row, counts, null);
    const newer: SweepSummary = toSweepSummary({ ...row, status: 'done' }, { ...counts, queued: 0, done: 4 }, null);
    expect(newerSummary(newer, older)).toBe(true);
    expect(newerSummary(older, newer)).toBe(false);
    const { revision: _unsaid, ...unsaid } = older;
    expect(newerSummary(unsaid, newer)).toBe(true);
    expect(newerSummary(newer, unsaid)).toBe(true);
  });
});

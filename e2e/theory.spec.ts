// Theory lines on the Decay curves, in Debian's chromium against the real lab server (test
// build): each line starts at its curve's loss-step value with the rate stored with the probe as
// its slope, checked against `seqlab summary --json` (the stored rates, read another way); the
// labels and the caption say what each line is and describe only the lines on screen.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { testBuild } from '../src/lab/testing/appBuilds';
import { chartInfo, runSweep, useLabSession } from './labPage';
import { ROOT } from './labServerProcess';

const SHOTS = join(import.meta.dirname, 'screenshots');

interface TheoryLineInfo {
  kind: 'lyapunov' | 'meanField' | 'cellPath' | 'pmb';
  seriesKey: string;
  label: string;
  slope: number;
  y0: number;
  data: { x: number; y: number }[];
}
interface DecayInfo {
  sweeps: number[];
  labels: string[];
  series: { key: string; label: string; role: string }[];
  theoryLines: TheoryLineInfo[];
  caption: string;
}
interface SummaryRow {
  sweep_id: number;
  arch: string;
  forget_bias: number | null;
  lyapunov: { top: number | null } | null;
  theory: { mean_field: number | null; cell_path: number | null; pmb_bound: number | null };
}

const chart = (page: Page, id: string) => chartInfo<DecayInfo>(page, id);

/** The slope of a drawn line from its two ends. */
const slopeOf = (data: { x: number; y: number }[]): number => (data.at(-1)!.y - data[0].y) / (data.at(-1)!.x - data[0].x);

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-e2e-theory-', { testHooks: true });

test('theory lines: slopes equal to the stored rates, labels and caption that say what they are', async ({ page, request }) => {
  test.setTimeout(180_000);
  const id = await runSweep(request, lab.server, {
    name: 'with exponents',
    archs: ['rnn', 'lstm'],
    T: [96],
    forgetBias: [0, 2],
    seeds: [1],
    N: 2,
    D: 2,
    H: 8,
    lyapunovVectors: 2,
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(lab.server.url);
  await page.getByRole('tab', { name: 'Decay curves' }).click();
  await expect.poll(async () => (await chart(page, 'decay'))?.series.length).toBe(3);
  // A quiet chart (3 series) draws every line it has: RNN 3 kinds, each LSTM 2.
  await expect.poll(async () => (await chart(page, 'decay'))?.theoryLines.length).toBe(7);
  const info = (await chart(page, 'decay'))!;

  // The stored rates, read by `seqlab summary` from the same file.
  const rows = (
    JSON.parse(
      execFileSync(process.execPath, [testBuild(ROOT).cli, 'summary', '--db', join(lab.dir, 'lab.sqlite'), '--json'], {
        encoding: 'utf8',
      }),
    ) as SummaryRow[]
  ).filter((r) => r.sweep_id === id);
  expect(rows).toHaveLength(3);
  const rowOf = (seriesKey: string): SummaryRow =>
    rows.find((r) =>
      seriesKey.includes('|rnn|') ? r.arch === 'rnn' : r.arch === 'lstm' && seriesKey.endsWith(`bf=${r.forget_bias}`),
    )!;
  const stored = (r: SummaryRow, kind: TheoryLineInfo['kind']): number | null =>
    ({
      lyapunov: r.lyapunov?.top ?? null,
      meanField: r.theory.mean_field,
      cellPath: r.theory.cell_path,
      pmb: r.theory.pmb_bound,
    })[kind];
  for (const line of info.theoryLines) {
    const want = stored(rowOf(line.seriesKey), line.kind);
    expect(want, `${line.kind} of ${line.seriesKey}`).not.toBeNull();
    // Drawn from the curve's value at the loss step (distance 0), with the stored rate as slope.
    expect(line.data[0]).toEqual({ x: 0, y: line.y0 });
    expect(slopeOf(line.data)).toBeCloseTo(want!, 12);
    expect(line.slope).toBe(want);
  }
  expect(info.theoryLines.map((l) => l.kind).sort()).toEqual([
    'cellPath',
    'cellPath',
    'lyapunov',
    'lyapunov',
    'lyapunov',
    'meanField',
    'pmb',
  ]);
  // Each label names the curve and says what the line is; "per step" only beside a per-step number.
  const label = (kind: string, arch: string): string =>
    info.theoryLines.find((l) => l.kind === kind && l.seriesKey.includes(`|${arch}|`))!.label;
  expect(label('lyapunov', 'rnn')).toMatch(/^RNN — top Lyapunov exponent \(exact asymptotic rate\): -?\d+\.\d{4} decades\/step$/);
  expect(label('meanField', 'rnn')).toContain('large-H approximation');
  expect(label('pmb', 'rnn')).toContain('PMB upper bound');
  expect(label('cellPath', 'lstm')).toMatch(/^LSTM bf=(0|2) — cell path only: /);
  // The number beside each is per step, and says so.
  for (const l of info.theoryLines) expect(l.label).toMatch(/: -?\d+\.\d{4} decades\/step$/);
  expect(info.caption).toContain('exact asymptotic rate');
  expect(info.caption).toContain('cell path only');
  await expect(page.getByTestId('decay-caption')).toHaveText(info.caption);
  await expect(page.getByTestId('lyapunov-absent')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'curves-theory.png'), fullPage: true });

  // RNN only: the caption no longer speaks of LSTM lines.
  await page.getByTestId('arch-chip-lstm').uncheck();
  await expect.poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label)).toEqual(['RNN']);
  const rnnOnly = (await chart(page, 'decay'))!;
  expect(rnnOnly.theoryLines.map((l) => l.kind)).toEqual(['lyapunov', 'meanField', 'pmb']);
  expect(rnnOnly.caption).not.toMatch(/LSTM|cell path/);
  await expect(page.getByTestId('theory-cellPath')).toHaveCount(0);

  // A line turned off leaves the chart and the caption.
  await page.getByTestId('theory-pmb').uncheck();
  await expect.poll(async () => (await chart(page, 'decay'))?.theoryLines.map((l) => l.kind)).toEqual(['lyapunov', 'meanField']);
  expect((await chart(page, 'decay'))!.caption).not.toContain('Pascanu');
  await page.screenshot({ path: join(SHOTS, 'curves-theory-rnn.png'), fullPage: true });
  expect(errors).toEqual([]);
});

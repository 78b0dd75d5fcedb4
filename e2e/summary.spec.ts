// The Summary in Debian's chromium against the real lab server (test build: the chart publishes
// what it draws on window.__seqlabCharts): medians over seeds with their spread as error bars,
// exact zeros as -∞ (an RNN with wh-gain 0), the censored-horizon sort, series from two sweeps
// labelled by what differs, chaotic probes flagged, and the CSV download, which is `seqlab
// summary --csv`'s.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { CHAOTIC_RNN_SPEC, chartInfo, download, runSweep, useLabSession } from './labPage';
import { ROOT } from './labServerProcess';

const SHOTS = join(import.meta.dirname, 'screenshots');

interface SummaryInfo {
  labels: string[];
  metric: string;
  norm: string;
  window: string;
  spread: string;
  xAxis: string;
  floorPoints: number;
  ceilingPoints: number;
  series: { label: string; kind: string; points: { x: number; median: number; low: number | null; high: number | null }[] }[];
}

interface RatesRow {
  sweep_id: number;
  arch: string;
  T: number;
  forget_bias: number | null;
  seed: number;
  rate: Record<string, number | null>;
  rate_tail: Record<string, number | null>;
  horizon: Record<string, number | null>;
}

const chart = (page: Page) => chartInfo<SummaryInfo>(page, 'summary');

const sortedNums = (v: number[]): number[] => [...v].sort((a, b) => a - b);
const medianOf = (v: number[]): number => {
  const s = sortedNums(v);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Shows exactly these sweeps in the Summary (the picker keeps at least one ticked). */
async function showSweeps(page: Page, ids: number[], all: number[]): Promise<void> {
  await page.getByTestId('compare-summary').click();
  for (const id of ids) await page.getByTestId(`compare-sweep-${id}`).check();
  for (const id of all.filter((x) => !ids.includes(x))) await page.getByTestId(`compare-sweep-${id}`).uncheck();
  await page.getByTestId('compare-summary').click();
}

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-e2e-summary-');

test('medians with error bars, -∞ for exact zeros, the censored sort, two sweeps compared, chaos flagged, CSV', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const dbPath = join(lab.dir, 'lab.sqlite');
  const server = await lab.serve('lab.sqlite', [], { testHooks: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize({ width: 1360, height: 900 });

  const base = { N: 2, D: 2, H: 4, seeds: { count: 3 }, lyapunovVectors: 2 };
  const mixed = await runSweep(request, server, {
    ...base,
    name: 'mixed',
    archs: ['rnn', 'lstm'],
    T: [16, 48],
    forgetBias: [0, 2, 6],
  });
  const zeros = await runSweep(request, server, {
    ...base,
    name: 'mixed',
    archs: ['rnn', 'lstm'],
    T: [16, 48],
    forgetBias: [0, 2, 6],
    init: { whGain: 0 },
  });
  const chaotic = await runSweep(request, server, CHAOTIC_RNN_SPEC);
  const all = [mixed, zeros, chaotic];
  const rates = (await (await request.post(`${server.url}api/loadProbeRates`, { data: { sweepIds: [mixed] } })).json()) as {
    value: RatesRow[];
  };

  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Summary' }).click();
  await showSweeps(page, [mixed], all);

  // The rate of each configuration: the median over its 3 seeds, the error bar from min to max.
  await expect.poll(async () => (await chart(page))?.series.length ?? 0).toBeGreaterThan(0);
  let info = (await chart(page))!;
  expect(info.metric).toBe('rate');
  expect(info.window).toBe('full');
  expect(info.xAxis).toBe('forgetBias');
  const lstm16 = info.series.find((s) => s.label === 'LSTM T=16')!;
  expect(lstm16.points.map((p) => p.x)).toEqual([0, 2, 6]);
  for (const p of lstm16.points) {
    const seeds = rates.value
      .filter((r) => r.arch === 'lstm' && r.T === 16 && r.forget_bias === p.x)
      .map((r) => r.rate.dh as number);
    expect(seeds).toHaveLength(3);
    expect(p.median).toBe(medianOf(seeds));
    expect([p.low, p.high]).toEqual([Math.min(...seeds), Math.max(...seeds)]);
    expect(p.low!).toBeLessThan(p.high!);
  }
  // The Lyapunov top beside each LSTM line; the RNN one dashed line per T.
  expect(info.labels).toContain('Lyapunov top, LSTM T=16');
  expect(info.labels.filter((l) => l.startsWith('RNN')).sort()).toEqual(['RNN T=16', 'RNN T=48']);
  await expect(page.getByTestId('summary-caption')).toContainText('full range');
  await page.screenshot({ path: join(SHOTS, 'summary-rate.png') });

  // The tail window, and the interquartile range.
  await page.getByTestId('summary-window').selectOption('tail');
  await page.getByTestId('summary-spread').selectOption('iqr');
  await expect.poll(async () => (await chart(page))?.window).toBe('tail');
  info = (await chart(page))!;
  expect(info.spread).toBe('iqr');
  const tail16 = info.series.find((s) => s.label === 'LSTM T=16')!.points[0];
  const tailSeeds = sortedNums(
    rates.value.filter((r) => r.arch === 'lstm' && r.T === 16 && r.forget_bias === 0).map((r) => r.rate_tail.dh as number),
  );
  expect(tail16.median).toBe(tailSeeds[1]);
  expect(tail16.low).toBeCloseTo((tailSeeds[0] + tailSeeds[1]) / 2, 12);
  expect(tail16.high).toBeCloseTo((tailSeeds[1] + tailSeeds[2]) / 2, 12);
  await expect(page.getByTestId('summary-caption')).toContainText('tail');

  // Every computed norm is offered, db included.
  await expect(page.getByTestId('summary-norm').locator('option')).toHaveText(['dh', 'dc', 'dWx', 'dWh', 'db']);
  await page.getByTestId('summary-norm').selectOption('db');
  await expect.poll(async () => (await chart(page))?.norm).toBe('db');

  // Horizon: plot option and table header say it the same way; censored values ("> T−1") sort above every finite one when descending.
  await page.getByTestId('summary-norm').selectOption('dh');
  await page.getByTestId('summary-metric').selectOption('horizon');
  const option = (await page.getByTestId('summary-metric').locator('option:checked').textContent())!.trim();
  await expect(page.getByTestId('sort-horizon')).toHaveText(option);
  await page.getByTestId('sort-horizon').click();
  await page.getByTestId('sort-horizon').click();
  const horizons = await page.getByTestId('cell-horizon').allTextContents();
  const censored = horizons.filter((h) => h.startsWith('>'));
  expect(censored.length).toBeGreaterThan(0);
  expect(horizons.slice(0, censored.length)).toEqual(censored);
  const finite = horizons.slice(censored.length).map(Number);
  expect(finite.every((h) => Number.isFinite(h))).toBe(true);
  expect(finite).toEqual([...finite].sort((a, b) => b - a));
  info = (await chart(page))!;
  expect(info.ceilingPoints).toBeGreaterThan(0);
  await page.screenshot({ path: join(SHOTS, 'summary-horizon-censored.png') });

  // The CSV download is seqlab summary --csv of the same sweep.
  const csv = (await download(page, () => page.getByTestId('summary-csv').click())).bytes.toString('utf8');
  const cli = execFileSync(
    process.execPath,
    [join(ROOT, 'out', 'main', 'cli.js'), 'summary', '--db', dbPath, '--sweep', String(mixed), '--csv'],
    {
      encoding: 'utf8',
    },
  );
  expect(csv).toBe(cli);
  expect(csv.split('\n')[0]).toContain('rate_db,rate_tail_db,horizon_db');

  // wh-gain 0: the RNN's gradient is exactly 0 from distance 1, so its rate is -∞ and its horizon 1.
  await showSweeps(page, [zeros], all);
  await page.getByTestId('summary-metric').selectOption('rate');
  await page.getByTestId('summary-window').selectOption('full');
  await expect.poll(async () => (await chart(page))?.labels.some((l) => l.startsWith('RNN'))).toBe(true);
  info = (await chart(page))!;
  const rnn = info.series.filter((s) => s.label.startsWith('RNN'));
  expect(rnn.map((s) => s.label)).toEqual(['RNN T=16, 48']);
  expect(rnn[0].points[0]).toMatchObject({ median: -Infinity, low: -Infinity, high: -Infinity });
  expect(info.floorPoints).toBeGreaterThan(0);
  const rnnRows = page.getByTestId('summary-row').filter({ hasText: 'RNN' });
  await expect(rnnRows).toHaveCount(2);
  for (const row of await rnnRows.all()) {
    await expect(row.getByTestId('cell-rate')).toContainText('-∞');
    await expect(row.getByTestId('cell-horizon')).toHaveText('1');
  }
  await expect(page.getByTestId('summary-caption')).toContainText('−∞');
  await page.screenshot({ path: join(SHOTS, 'summary-zeros.png') });

  // Both sweeps at once: same name, so each series says what differs (the Wh gain).
  await showSweeps(page, [mixed, zeros], all);
  await expect
    .poll(async () => (await chart(page))?.labels.filter((l) => l.startsWith('LSTM T=16')).sort())
    .toEqual(['LSTM T=16, g=0', 'LSTM T=16, g=1']);
  await expect(page.getByTestId('summary-row')).toHaveCount(16);
  await page.screenshot({ path: join(SHOTS, 'summary-compare.png') });

  // The article init at H = 64 is chaotic: flagged, with what reproduces.
  await showSweeps(page, [chaotic], all);
  await expect(page.getByTestId('summary-row')).toHaveCount(1);
  const flag = page.getByTestId('chaotic-flag');
  await expect(flag).toBeVisible();
  await expect(flag).toHaveAttribute('title', /only statistics reproduce/i);
  await page.screenshot({ path: join(SHOTS, 'summary-chaotic.png') });

  expect(pageErrors).toEqual([]);
});

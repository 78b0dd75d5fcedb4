// The Connectivity view in Debian's chromium against the real lab server (test build: each
// heatmap publishes what it draws on window.__seqlabCharts): an RNN and an LSTM probe side by
// side on one colour scale, their values equal to `seqlab probe --loss-table`'s (an independent
// run of the engine), hover values, the refusal above T = 4096 with its cost, and a chaotic
// probe flagged in its detail.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { CHAOTIC_RNN_SPEC, chartInfo, runSweep, useLabSession } from './labPage';
import { ROOT } from './labServerProcess';

const SHOTS = join(import.meta.dirname, 'screenshots');

interface HeatmapInfo {
  kind: string;
  probeId: number;
  arch: string;
  T: number;
  norm: string;
  steps: number[];
  log10: (number | null)[];
  colorMin: number;
  colorMax: number;
}

const heatmap = (page: Page, side: number) => chartInfo<HeatmapInfo>(page, `connectivity-${side}`);

/** The loss table of the same probe, by `seqlab probe --loss-table` in a process of its own. */
function cliLossTable(args: string[]): { t: number; log10: Record<string, (number | null)[]> }[] {
  const out = execFileSync(process.execPath, [join(ROOT, 'out', 'main', 'cli.js'), 'probe', ...args, '--loss-table', '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return (JSON.parse(out) as { loss_table: { t: number; log10: Record<string, (number | null)[]> }[] }).loss_table;
}

function expectSameTable(info: HeatmapInfo, table: ReturnType<typeof cliLossTable>, norm: string): void {
  const n = info.steps.length;
  expect(info.log10).toHaveLength(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) expect(info.log10[i * n + j]).toBe(table[info.steps[i]].log10[norm][info.steps[j]]);
}

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-e2e-connectivity-');

test('an RNN and an LSTM heatmap on one colour scale, hover values, the refusal above T = 4096, a chaotic probe flagged', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const server = await lab.serve('lab.sqlite', [], { testHooks: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize({ width: 1360, height: 900 });
  const sweep = await runSweep(request, server, {
    name: 'connectivity',
    archs: ['rnn', 'lstm'],
    T: [40, 4097],
    forgetBias: [1],
    seeds: [1],
    N: 2,
    D: 2,
    H: 4,
    lyapunovVectors: 1,
  });
  const chaotic = await runSweep(request, server, CHAOTIC_RNN_SPEC);

  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Connectivity' }).click();
  await page.getByTestId('connectivity-sweep').selectOption(String(sweep));

  // By default an RNN beside an LSTM of the same T and seed; one colour scale for both.
  await expect
    .poll(async () => [(await heatmap(page, 0))?.arch, (await heatmap(page, 1))?.arch], { timeout: 60_000 })
    .toEqual(['rnn', 'lstm']);
  const rnn = (await heatmap(page, 0))!;
  const lstm = (await heatmap(page, 1))!;
  expect([rnn.T, lstm.T, rnn.norm]).toEqual([40, 40, 'dh']);
  expect(rnn.steps).toEqual(Array.from({ length: 40 }, (_, i) => i));
  expect([rnn.colorMin, rnn.colorMax]).toEqual([lstm.colorMin, lstm.colorMax]);
  const finite = [...rnn.log10, ...lstm.log10].filter((v): v is number => v !== null);
  expect(rnn.colorMin).toBe(Math.min(...finite));
  expect(rnn.colorMax).toBe(Math.max(...finite));
  const base = ['--T', '40', '--N', '2', '--D', '2', '--H', '4', '--seed', '1'];
  expectSameTable(rnn, cliLossTable(['--arch', 'rnn', ...base]), 'dh');
  const lstmTable = cliLossTable(['--arch', 'lstm', '--forget-bias', '1', ...base]);
  expectSameTable(lstm, lstmTable, 'dh');
  await expect(page.getByTestId('connectivity-colorbar')).toBeVisible();

  // Hover: the cell's loss step, step and exact value.
  const box = (await page.getByTestId('heatmap-connectivity-1').locator('canvas').boundingBox())!;
  await page.mouse.move(box.x + 52 + (10.5 / 40) * 340, box.y + 8 + (30.5 / 40) * 340);
  const tip = page.getByTestId('heatmap-tip-connectivity-1');
  await expect(tip).toContainText('t = 30, k = 10 (distance 20)');
  await expect(tip).toContainText(`log10 ${lstm.log10[30 * 40 + 10]!.toFixed(3)}`);
  // Clicking a row shows it below as a curve against the distance, for both probes.
  await page.mouse.click(box.x + 52 + (10.5 / 40) * 340, box.y + 8 + (30.5 / 40) * 340);
  await expect
    .poll(async () =>
      page.evaluate(() => {
        const c = (window as unknown as { __seqlabCharts?: Record<string, { lossStep: number; points: number[] }> })
          .__seqlabCharts;
        return c?.['connectivity-profile'] ? [c['connectivity-profile'].lossStep, c['connectivity-profile'].points] : null;
      }),
    )
    .toEqual([30, [31, 31]]);
  await page.screenshot({ path: join(SHOTS, 'connectivity-rnn-lstm.png'), fullPage: true });

  // The cell state's norm: only the LSTM has one.
  await page.getByTestId('connectivity-norm').selectOption('dc');
  await expect.poll(async () => (await heatmap(page, 1))?.norm).toBe('dc');
  expectSameTable((await heatmap(page, 1))!, lstmTable, 'dc');
  await expect(page.getByTestId('connectivity-panel-0')).toContainText('exists only for the LSTM');
  await page.getByTestId('connectivity-norm').selectOption('dh');

  // Above T = 4096: refused, saying what it would cost.
  const long =
    (await page.getByTestId('connectivity-probe-1').locator('option', { hasText: 'LSTM T=4097' }).getAttribute('value')) ?? '';
  await page.getByTestId('connectivity-probe-1').selectOption(long);
  const panel = page.getByTestId('connectivity-panel-1');
  await expect(panel).toContainText('computed for T up to 4096');
  await expect(panel).toContainText(/[\d,]+ backward steps, about \d/);
  await page.screenshot({ path: join(SHOTS, 'connectivity-refused.png') });

  // A chaotic probe (the article init at H = 64): flagged in its detail, with what reproduces.
  await page.getByTestId('connectivity-sweep').selectOption(String(chaotic));
  await expect.poll(async () => (await heatmap(page, 0))?.T, { timeout: 60_000 }).toBe(64);
  await expect(page.getByTestId('probe-detail-0').getByTestId('chaotic-flag')).toBeVisible();
  await expect(page.getByTestId('chaotic-note')).toContainText(/only statistics reproduce/i);
  await page.screenshot({ path: join(SHOTS, 'connectivity-chaotic.png') });

  expect(pageErrors).toEqual([]);
});

// Decay curves across sweeps, in Debian's chromium against the real lab server (test build: the
// page publishes what each chart draws on window.__seqlabCharts): two sweeps of different H in
// one chart, labelled by what differs; the standard 105-probe sweep with T = all (145 datasets)
// with a legend that says every label in full; one panel per T.
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { chartInfo, runSweep as runSweepFor, useLabSession } from './labPage';

const SHOTS = join(import.meta.dirname, 'screenshots');

interface SeriesInfo {
  key: string;
  label: string;
  role: string;
  points: number;
  color: string;
  dash: number[];
}
interface DecayInfo {
  T: number | string;
  layout: string;
  sweeps: number[];
  encoding: { color: string; dash: string };
  unencoded: string[];
  datasetCount: number;
  labels: string[];
  series: SeriesInfo[];
  theoryLines: { kind: string; seriesKey: string; slope: number }[];
  legend: { label: string; items: { key: string; label: string; hidden: boolean }[] }[];
  caption: string;
}

const chart = (page: Page, id: string) => chartInfo<DecayInfo>(page, id);
/** This spec's sweeps are larger (the 105-probe standard one): up to 150 s each. */
const runSweep = (request: APIRequestContext, spec: Record<string, unknown>) => runSweepFor(request, lab.server, spec, 150_000);

/** Every legend label is drawn in full: nothing clipped or ellipsised, and it says the series' whole label. */
async function expectLegendComplete(page: Page, labels: string[]): Promise<void> {
  const items = page.getByTestId('legend-item');
  await expect(items).toHaveCount(labels.length);
  const shown = await items.evaluateAll((els) =>
    els.map((el) => {
      const text = el.querySelector('.text') as HTMLElement;
      return { text: text.textContent?.trim() ?? '', clipped: text.scrollWidth > text.clientWidth + 1 };
    }),
  );
  expect(shown.map((s) => s.text).sort()).toEqual([...labels].sort());
  expect(shown.filter((s) => s.clipped)).toEqual([]);
}

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-e2e-compare-', { testHooks: true });

test('two sweeps of different H in one chart, each curve labelled by what differs', async ({ page, request }) => {
  test.setTimeout(180_000);
  const small = { name: 'H eight', archs: ['rnn', 'lstm'], T: [48], forgetBias: [0, 2], seeds: [1], N: 2, D: 2, H: 8 };
  const a = await runSweep(request, small);
  const b = await runSweep(request, { ...small, name: 'H sixteen', H: 16 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(lab.server.url);
  await page.getByRole('tab', { name: 'Decay curves' }).click();
  // One sweep (the newest): labels as before, nothing says H.
  await expect
    .poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label))
    .toEqual(['RNN', 'LSTM bf=0', 'LSTM bf=2']);

  await page.getByTestId('compare-summary').click();
  await page.getByTestId(`compare-sweep-${a}`).check();
  await page.getByTestId('compare-summary').click();
  await expect
    .poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label))
    .toEqual(['RNN, H=8', 'LSTM bf=0, H=8', 'LSTM bf=2, H=8', 'RNN, H=16', 'LSTM bf=0, H=16', 'LSTM bf=2, H=16']);
  const info = (await chart(page, 'decay'))!;
  expect(info.sweeps).toEqual([a, b]);
  // Colour by bias (fixed scale: the same bias, the same colour in both sweeps), dash by sweep.
  expect(info.encoding).toEqual({ color: 'bias', dash: 'sweep' });
  const by = (label: string): SeriesInfo => info.series.find((s) => s.label === label)!;
  expect(by('LSTM bf=2, H=8').color).toBe(by('LSTM bf=2, H=16').color);
  expect(by('LSTM bf=0, H=8').color).not.toBe(by('LSTM bf=2, H=8').color);
  expect(by('LSTM bf=2, H=8').dash).toEqual([]);
  expect(by('LSTM bf=2, H=16').dash).toEqual([10, 4]);
  expect(info.series.every((s) => s.points === 48)).toBe(true);
  await expectLegendComplete(
    page,
    info.series.map((s) => s.label),
  );
  // The key says what line style stands for; the configuration of both sweeps sits beside the chart.
  await expect(page.getByTestId('encoding-key')).toContainText('Line style: sweep');
  await expect(page.getByTestId('encoding-key')).toContainText('H=16');
  await expect(page.getByTestId(`spec-${a}`)).toBeVisible();
  await expect(page.getByTestId(`spec-${b}`)).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'curves-compare.png'), fullPage: true });

  // A click on a legend group hides both bf=2 curves; a click on an item brings one back.
  await page.getByTestId('legend-group').filter({ hasText: 'bf=2' }).click();
  await expect.poll(async () => (await chart(page, 'decay'))?.series.length).toBe(4);
  await page.getByTestId('legend-item').filter({ hasText: 'LSTM bf=2, H=16' }).click();
  await expect
    .poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label))
    .toEqual(['RNN, H=8', 'LSTM bf=0, H=8', 'RNN, H=16', 'LSTM bf=0, H=16', 'LSTM bf=2, H=16']);
  expect(errors).toEqual([]);
});

test('the standard 105-probe sweep, T = all: 145 datasets, every label complete; one panel per T', async ({ page, request }) => {
  test.setTimeout(300_000);
  const Ts = [16, 64, 256, 1024, 4096];
  const id = await runSweep(request, {
    name: 'standard',
    archs: ['rnn', 'lstm'],
    T: Ts,
    forgetBias: [-2, 0, 1, 2, 3, 4],
    seeds: { count: 3 },
    N: 2,
    D: 2,
    H: 4,
  });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(lab.server.url);
  await page.getByRole('tab', { name: 'Decay curves' }).click();
  await expect.poll(async () => (await chart(page, 'decay'))?.sweeps).toEqual([id]);
  await page.getByTestId('t-filter').selectOption('all');
  await expect.poll(async () => (await chart(page, 'decay'))?.series.length).toBe(35);
  let info = (await chart(page, 'decay'))!;
  // A busy chart starts without seed bands and theory lines; colour is the bias, line style the T.
  expect(info.datasetCount).toBe(35);
  expect(info.encoding).toEqual({ color: 'bias', dash: 'T' });
  expect(info.unencoded).toEqual([]);
  // Everything on: 35 medians, 70 band edges, RNN mean field + PMB (5 x 2), LSTM cell path (30).
  await page.getByTestId('bands-toggle').check();
  await page.getByTestId('theory-meanField').check();
  await page.getByTestId('theory-cellPath').check();
  await page.getByTestId('theory-pmb').check();
  await expect.poll(async () => (await chart(page, 'decay'))?.datasetCount).toBe(145);
  info = (await chart(page, 'decay'))!;
  const labels = info.series.map((s) => s.label);
  expect(new Set(labels).size).toBe(35);
  expect(labels).toContain('LSTM bf=-2, T=4096');
  expect(labels).toContain('RNN, T=16');
  expect(info.legend.map((g) => g.label)).toEqual(['RNN (no bias)', 'bf=-2', 'bf=0', 'bf=1', 'bf=2', 'bf=3', 'bf=4']);
  // Five T, five line styles.
  expect(new Set(info.series.map((s) => JSON.stringify(s.dash))).size).toBe(5);
  await expectLegendComplete(page, labels);
  // The Lyapunov line is not offered, and the page says why.
  await expect(page.getByTestId('theory-lyapunov')).toBeDisabled();
  await expect(page.getByTestId('lyapunov-absent')).toContainText('lyapunovVectors');
  await page.screenshot({ path: join(SHOTS, 'curves-145.png'), fullPage: true });

  // One panel per T: five charts of seven series each, colour by bias, no line style needed.
  await page.getByTestId('layout-panels').check();
  for (const T of Ts) {
    await expect.poll(async () => (await chart(page, `decay-T${T}`))?.series.length).toBe(7);
    const panel = (await chart(page, `decay-T${T}`))!;
    expect(panel.T).toBe(T);
    expect(panel.series.every((s) => s.label.endsWith(`T=${T}`))).toBe(true);
  }
  expect((await chart(page, 'decay-T16'))!.encoding).toEqual({ color: 'bias', dash: 'arch' });
  await expect(page.getByTestId('small-multiples').locator('canvas')).toHaveCount(5);
  await page.screenshot({ path: join(SHOTS, 'curves-small-multiples.png'), fullPage: true });
});

test('a trained model against the same architecture at init: "trained (file)" against "at init"', async ({ page, request }) => {
  test.setTimeout(180_000);
  // The shipped example sweeps (examples/sweeps): the trained LSTM and an LSTM of its sizes at init, on the same sequences.
  const inputs = 'example:adding_inputs_N16_T100.npy';
  const atInit = await runSweep(request, { name: 'LSTM at init', archs: ['lstm'], inputs, H: 32, forgetBias: [0, 2] });
  const trained = await runSweep(request, {
    name: 'trained LSTM',
    weights: 'example:adding_lstm_T100_H32.safetensors',
    inputs,
    forgetBias: [0, 2],
  });
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(lab.server.url);
  await page.getByRole('tab', { name: 'Decay curves' }).click();
  await expect.poll(async () => (await chart(page, 'decay'))?.sweeps).toEqual([trained]);
  // One sweep of imported weights: its bias axis is an offset on the trained biases.
  await expect
    .poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label))
    .toEqual(['LSTM offset=0', 'LSTM offset=+2']);
  await page.getByTestId('compare-summary').click();
  await page.getByTestId(`compare-sweep-${atInit}`).check();
  await page.getByTestId('compare-summary').click();
  await expect
    .poll(async () => (await chart(page, 'decay'))?.series.map((s) => s.label))
    .toEqual([
      'LSTM bf=0, at init',
      'LSTM bf=2, at init',
      'LSTM offset=0, trained (adding_lstm_T100_H32.safetensors)',
      'LSTM offset=+2, trained (adding_lstm_T100_H32.safetensors)',
    ]);
  const info = (await chart(page, 'decay'))!;
  expect(info.encoding.dash).toBe('sweep');
  await expectLegendComplete(
    page,
    info.series.map((s) => s.label),
  );
  await page.screenshot({ path: join(SHOTS, 'curves-trained-vs-init.png'), fullPage: true });
});

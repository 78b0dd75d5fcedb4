// A trained model's decay curves against the same architecture at init, in Debian's chromium
// against the real lab server (real service, SQLite file and worker processes; the test build
// publishes what each chart draws on window.__seqlabCharts): the shipped example LSTM queued from
// the New sweep form's Model choice, an upload of the user's own file through the browser, and
// both charted with a sweep at init in the Decay curves view.
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { chartInfo, useLabSession, waitForSweepDone } from './labPage';

const SHOTS = join(import.meta.dirname, 'screenshots');
const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const LSTM_EXAMPLE = 'adding_lstm_T100_H32.safetensors';
const GRU_EXAMPLE = 'adding_gru_T100_H32.safetensors';

interface DecayInfo {
  yTitle: string;
  sweeps: number[];
  series: { key: string; label: string; role: string; points: number }[];
}

const chart = (page: Page, id: string) => chartInfo<DecayInfo>(page, id);

type ApiResult<T> = { ok: true; value: T } | { ok: false; error: { message: string } };

async function call<T>(request: APIRequestContext, name: string, data?: unknown): Promise<T> {
  const r = (await (
    await request.post(`${lab.server.url}api/${name}`, {
      headers: { 'Content-Type': 'application/json' },
      ...(data === undefined ? {} : { data }),
    })
  ).json()) as ApiResult<T>;
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  return r.value;
}

const waitDone = (request: APIRequestContext, id: number) => waitForSweepDone(request, lab.server, id, 150_000);

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * Where the texts matched by `selector` wrap: how many take more than one line, and each line
 * break that falls inside a word (not after a space or a file name's separator), with the text
 * around it.
 */
async function lineBreaks(page: Page, selector: string): Promise<{ wrapped: number; midWord: string[] }> {
  return page.evaluate((sel) => {
    const SEPARATORS = new Set([' ', '_', '/', '\\', '.', '-', ':', '=']);
    let wrapped = 0;
    const midWord: string[] = [];
    for (const el of Array.from(document.querySelectorAll(sel))) {
      const chars: { c: string; top: number | null }[] = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const rect = range.getClientRects()[0];
          chars.push({ c: text[i], top: rect && rect.width > 0 ? rect.top : null });
        }
      }
      const all = chars.map((x) => x.c).join('');
      let prev = -1;
      let lines = 1;
      chars.forEach((x, i) => {
        if (x.top === null) return;
        if (prev >= 0 && x.top > chars[prev].top! + 2) {
          lines++;
          const between = all.slice(prev, i);
          if (![...between].some((c) => SEPARATORS.has(c))) midWord.push(`${all.slice(0, i)}|${all.slice(i)}`);
        }
        prev = i;
      });
      if (lines > 1) wrapped++;
    }
    return { wrapped, midWord };
  }, selector);
}

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-e2e-model-', { testHooks: true });

test('the shipped trained LSTM, queued from the form, charted against an LSTM of the same sizes at init', async ({
  page,
  request,
}) => {
  test.setTimeout(240_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(lab.server.url);

  // One click on the example: the form takes the arch, D and H from the file.
  const select = page.getByTestId('model-select');
  await expect(select.locator('option', { hasText: LSTM_EXAMPLE })).toHaveCount(1);
  await select.selectOption({ label: `${LSTM_EXAMPLE} (LSTM, trained)` });
  await expect(page.getByTestId('model-sha256')).toHaveText(sha256(join(EXAMPLES, LSTM_EXAMPLE)));
  await page.getByLabel('Name').fill('trained LSTM');
  await page.getByTestId('T-list').fill('100');
  await page.getByTestId('bf-list').fill('0, 2');
  await page.getByLabel('Batch N').fill('4');
  await expect(page.getByTestId('estimate-probes')).toHaveText('2');
  await expect(page.getByText('updating…')).toHaveCount(0);
  await page.screenshot({ path: join(SHOTS, 'model-form.png'), fullPage: true });
  await page.getByTestId('queue-button').click();
  await expect(page.getByRole('tab', { name: /Queue/ })).toHaveAttribute('aria-selected', 'true');

  const sweeps = await call<{ id: number; name: string }[]>(request, 'listSweeps');
  const trained = sweeps.find((s) => s.name === 'trained LSTM')!.id;
  // The same architecture and sizes at init, through the HTTP API.
  const atInit = (
    await call<{ id: number }>(request, 'queueSweep', {
      name: 'LSTM at init',
      archs: ['lstm'],
      T: [100],
      forgetBias: [0, 2],
      N: 4,
      D: 2,
      H: 32,
    })
  ).id;
  await waitDone(request, trained);
  await waitDone(request, atInit);
  const detail = await call<{ spec: Record<string, unknown>; model?: { weights?: { sha256: string; fileName: string } } }>(
    request,
    'getSweep',
    trained,
  );
  expect(detail.spec).toMatchObject({ weights: `example:${LSTM_EXAMPLE}`, archs: ['lstm'], D: 2, H: 32, T: [100] });
  expect(detail.model?.weights).toMatchObject({ fileName: LSTM_EXAMPLE, sha256: sha256(join(EXAMPLES, LSTM_EXAMPLE)) });

  await page.getByRole('tab', { name: 'Decay curves' }).click();
  await page.getByTestId('compare-summary').click();
  await page.getByTestId(`compare-sweep-${trained}`).check();
  await page.getByTestId(`compare-sweep-${atInit}`).check();
  await page.getByTestId('compare-summary').click();
  await expect.poll(async () => (await chart(page, 'decay'))?.sweeps.slice().sort()).toEqual([trained, atInit].sort());
  const info = (await chart(page, 'decay'))!;
  const labels = info.series.map((s) => s.label);
  // Four curves of 100 steps: the trained model's named by its file, the others "at init".
  expect(info.series).toHaveLength(4);
  expect(info.series.every((s) => s.points === 100)).toBe(true);
  expect(labels.filter((l) => l.includes(LSTM_EXAMPLE))).toHaveLength(2);
  expect(labels.filter((l) => l.includes('at init'))).toHaveLength(2);

  // The trained layer carries its gradient differently from the same sizes at init.
  const dh = async (id: number) =>
    (
      await call<{ curves: { forgetBias: number; log10: (number | null)[] }[] }>(request, 'loadCurves', {
        sweepId: id,
        norm: 'dh',
      })
    ).curves;
  const [trainedCurves, initCurves] = [await dh(trained), await dh(atInit)];
  const first = (cs: { forgetBias: number; log10: (number | null)[] }[]) => cs.find((c) => c.forgetBias === 0)!.log10[0]!;
  expect(Math.abs(first(trainedCurves) - first(initCurves))).toBeGreaterThan(0.1);
  expect(info.yTitle).toBe('‖∂L_t/∂h_k‖ (log scale)');

  // The legend's long labels wrap between words or after the file name's separators, never
  // inside a word ("safetens|ors").
  const legend = await lineBreaks(page, '[data-testid="legend-item"] .text');
  expect(legend.wrapped).toBeGreaterThan(0);
  expect(legend.midWord).toEqual([]);

  // The trained sweep's configuration: its bias axis an offset, its model by file name and hash.
  const panel = page.getByTestId(`spec-${trained}`);
  await expect(panel).toContainText('Forget/update-gate bias offset');
  await expect(panel).not.toContainText('Forget-gate biases');
  const specValue = (label: string) =>
    panel.locator('div', { has: page.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd');
  const hash = sha256(join(EXAMPLES, LSTM_EXAMPLE));
  await expect(specValue('Model')).toHaveText(`${LSTM_EXAMPLE} SHA-256 ${hash.slice(0, 12)}…`);
  await expect(specValue('Model').getByTestId('spec-sha256')).toHaveAttribute('title', hash);
  await expect(page.getByTestId(`spec-${atInit}`)).toContainText('Forget-gate biases');
  expect((await lineBreaks(page, '[data-testid="spec-panel"] dd')).midWord).toEqual([]);
  await page.screenshot({ path: join(SHOTS, 'model-trained-vs-init.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test("a user's own model file uploaded from the browser is stored by its hash and offered in the form", async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  const mine = join(lab.dir, 'my-gru.safetensors');
  copyFileSync(join(EXAMPLES, GRU_EXAMPLE), mine);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(lab.server.url);
  await page.getByTestId('model-select').selectOption({ label: 'from a file…' });
  await page.getByTestId('model-file').setInputFiles(mine);
  await expect(page.getByTestId('model-sha256')).toHaveText(sha256(mine));
  await expect(page.getByTestId('model-summary')).toContainText('my-gru.safetensors');
  await expect(page.getByTestId('model-summary')).toContainText('D = 2, H = 32');
  await expect(page.getByText('updating…')).toHaveCount(0);
  const models = await call<{ ref: string; fileName: string; example: boolean }[]>(request, 'listModels');
  expect(models.find((m) => m.fileName === 'my-gru.safetensors')).toMatchObject({
    ref: `lab:${sha256(mine)}.safetensors`,
    example: false,
  });
  expect(readFileSync(join(lab.dir, 'lab.sqlite.models', `${sha256(mine)}.safetensors`)).equals(readFileSync(mine))).toBe(true);
  await page.screenshot({ path: join(SHOTS, 'model-upload.png'), fullPage: true });
});

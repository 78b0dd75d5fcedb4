// Publishing figures, in a real browser against the real lab server: a chart exported as PNG at
// 2x (its pixel size read from the downloaded file's header) and as SVG (parsed: title, footer,
// legend as <text>), after a zoom whose axis ends stay round and a pan that stops at the data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { chartInfo, download, runSweep, useLabSession } from './labPage';

const SHOTS = join(import.meta.dirname, 'screenshots');
const SWEEP_NAME = 'figure sweep';
/** The Summary's chart: rate per step against the forget-gate bias (a linear x axis starting at the data's bf = 0). */
const ID = 'summary';
const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

type Range = { min: number; max: number };
interface ChartInfo {
  title: string;
  yTitle: string;
  footer: string;
  labels: string[];
  axes: { x: Range; y: Range };
  canvas: { width: number; height: number };
  figure: {
    format: string;
    scale: number;
    width: number;
    height: number;
    chart: { x: number; y: number; width: number; height: number };
  } | null;
}

const chart = (page: Page, id: string) => chartInfo<ChartInfo>(page, id);

/** Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian). */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Few significant figures: what a rounded axis end looks like (89.73 is not; 90 and -3.25 are). */
const isRound = (v: number): boolean => Number(v.toPrecision(3)) === v;

test.describe.configure({ mode: 'serial' });

const lab = useLabSession('seqlab-figures-');

test('a chart exports as PNG at 2x and as SVG with title, legend and a footer naming the sweep; zoom ends stay round', async ({
  page,
  request,
}) => {
  test.setTimeout(120_000);
  const server = await lab.serve('lab.sqlite', [], { testHooks: true });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 900 });

  await runSweep(
    request,
    server,
    { name: SWEEP_NAME, archs: ['rnn', 'lstm'], T: [16, 64], forgetBias: [0, 2], N: 4, D: 1, H: 8 },
    60_000,
  );

  await page.goto(server.url);
  await page.getByRole('tab', { name: 'Summary' }).click();
  await expect.poll(async () => (await chart(page, ID))?.labels.length ?? 0).toBeGreaterThanOrEqual(2);
  const before = (await chart(page, ID))!;

  // Zoom in with the wheel: the range shrinks and, once the gesture settles, its ends are round.
  const canvas = page.getByTestId(`chart-${ID}`).locator('canvas');
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -120);
  await expect
    .poll(async () => {
      const a = (await chart(page, ID))!.axes;
      return a.x.max - a.x.min < before.axes.x.max - before.axes.x.min && [a.x.min, a.x.max, a.y.min, a.y.max].every(isRound);
    })
    .toBe(true);
  const zoomed = (await chart(page, ID))!.axes;

  // Pan far right (towards smaller biases): it stops at the data, whose smallest bias is 0.
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.5);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.2 + 0.07 * i), box.y + box.height * 0.5);
  await page.mouse.up();
  await expect.poll(async () => (await chart(page, ID))!.axes.x.min).toBeLessThan(zoomed.x.min);
  const panned = (await chart(page, ID))!.axes;
  expect(panned.x.min).toBeGreaterThanOrEqual(0);
  expect(panned.x.max - panned.x.min).toBeCloseTo(zoomed.x.max - zoomed.x.min, 6);
  expect([panned.x.min, panned.x.max].every(isRound)).toBe(true);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height + 60);
  await page.screenshot({ path: join(SHOTS, 'figure-zoomed-chart.png') });

  // PNG at 2x: twice the figure's CSS size, whose plot is the one on screen.
  await page.getByTestId(`png-scale-${ID}`).selectOption('2');
  const png = await download(page, () => page.getByTestId(`png-${ID}`).click());
  expect(png.name).toBe(`${ID}@2x.png`);
  const pngBytes = png.bytes;
  const info = (await chart(page, ID))!;
  expect(info.figure).toMatchObject({ format: 'png', scale: 2 });
  const fig = info.figure!;
  expect(pngSize(pngBytes)).toEqual({ width: 2 * fig.width, height: 2 * fig.height });
  expect(fig.chart.height).toBe(info.canvas.height);
  const cssBox = (await canvas.boundingBox())!;
  expect(Math.abs(fig.chart.height - cssBox.height)).toBeLessThanOrEqual(1);
  expect(fig.chart.width).toBeLessThanOrEqual(Math.round(cssBox.width));
  expect(info.footer).toContain(SWEEP_NAME);

  // SVG: vector, the title, legend and footer as <text>.
  const svgFile = await download(page, () => page.getByTestId(`svg-${ID}`).click());
  expect(svgFile.name).toBe(`${ID}.svg`);
  const svgText = svgFile.bytes.toString('utf8');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.localName,
      texts: Array.from(doc.querySelectorAll('text'), (t) => t.textContent ?? ''),
      paths: doc.querySelectorAll('path').length,
      images: doc.querySelectorAll('image').length,
    };
  }, svgText);
  expect(parsed.error).toBeNull();
  expect(parsed.root).toBe('svg');
  expect(parsed.images).toBe(0);
  expect(parsed.paths).toBeGreaterThan(info.labels.length);
  expect(parsed.texts).toContain(info.title);
  expect(parsed.texts).toContain(info.yTitle);
  const footer = parsed.texts.filter((t) => t.includes('SeqLab') || t.includes(SWEEP_NAME)).join(' ');
  expect(footer).toContain(SWEEP_NAME);
  expect(footer).toContain(`SeqLab ${VERSION}`);
  for (const label of info.labels.filter(Boolean)) expect(parsed.texts).toContain(label);
  // The axes as zoomed and panned on screen: the x axis's end labels are its (round) ends.
  expect(parsed.texts).toContain(String(panned.x.max));

  // Both files, opened as images in the browser.
  for (const [name, src] of [
    ['figure-png-2x.png', `data:image/png;base64,${pngBytes.toString('base64')}`],
    ['figure-svg.png', `data:image/svg+xml;base64,${Buffer.from(svgText).toString('base64')}`],
  ] as const) {
    const shot = await page.context().newPage();
    await shot.setViewportSize({ width: Math.ceil(fig.width) + 20, height: Math.ceil(fig.height) + 20 });
    await shot.setContent(
      `<body style="margin:10px;background:#888"><img id="fig" src="${src}" width="${fig.width}" height="${fig.height}"></body>`,
    );
    await expect
      .poll(() => shot.evaluate(() => (document.getElementById('fig') as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0);
    // The plot is drawn in the file, not only the frame around it: its box holds coloured pixels.
    const coloured = await shot.evaluate((plot) => {
      const img = document.getElementById('fig') as HTMLImageElement;
      const c = document.createElement('canvas');
      c.width = plot.width;
      c.height = plot.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, -plot.x, -plot.y, img.width, img.height);
      const px = ctx.getImageData(0, 0, plot.width, plot.height).data;
      let n = 0;
      for (let i = 0; i < px.length; i += 4)
        if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 60) n++;
      return n;
    }, fig.chart);
    expect(coloured, name).toBeGreaterThan(500);
    await shot.screenshot({ path: join(SHOTS, name) });
    await shot.close();
  }
  expect(pageErrors).toEqual([]);
});

test('the decay chart (power-of-ten axis, min–max bands) exports as an SVG that draws what the screen shows', async ({
  page,
}) => {
  test.skip(!lab.started, 'needs the sweep of the test before');
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(lab.server.url);
  await page.getByRole('tab', { name: 'Decay curves' }).click();
  await expect.poll(async () => (await chart(page, 'decay'))?.labels.length ?? 0).toBeGreaterThan(2);
  const info = (await chart(page, 'decay'))!;
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SHOTS, 'figure-decay-screen.png') });

  const svgText = (await download(page, () => page.getByTestId('svg-decay').click())).bytes.toString('utf8');
  const texts = await page.evaluate(
    (text) =>
      Array.from(new DOMParser().parseFromString(text, 'image/svg+xml').querySelectorAll('text'), (t) => t.textContent ?? ''),
    svgText,
  );
  expect(texts).toContain(info.title);
  // The y axis in powers of ten, as on screen (superscript exponents, text not pictures).
  expect(texts.some((t) => /^10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+$/.test(t))).toBe(true);
  const fig = (await chart(page, 'decay'))!.figure!;
  const shot = await page.context().newPage();
  await shot.setViewportSize({ width: Math.ceil(fig.width) + 20, height: Math.ceil(fig.height) + 20 });
  await shot.setContent(
    `<body style="margin:10px;background:#888"><img id="fig" src="data:image/svg+xml;base64,${Buffer.from(svgText).toString('base64')}" width="${fig.width}" height="${fig.height}"></body>`,
  );
  await expect
    .poll(() => shot.evaluate(() => (document.getElementById('fig') as HTMLImageElement).naturalWidth))
    .toBeGreaterThan(0);
  await shot.screenshot({ path: join(SHOTS, 'figure-decay-svg.png') });
  await shot.close();
  expect(pageErrors).toEqual([]);
});

test('a figure of many series keeps every legend label whole (below the plot, in columns)', async ({ page, request }) => {
  test.skip(!lab.started, 'needs the server of the first test');
  test.setTimeout(120_000);
  const biases = Array.from({ length: 12 }, (_, i) => i - 4);
  await runSweep(
    request,
    lab.server,
    { name: 'many series', archs: ['rnn', 'lstm'], T: [16, 32, 64, 128], forgetBias: biases, N: 2, D: 1, H: 4 },
    90_000,
  );
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(lab.server.url);
  await page.getByRole('tab', { name: /Queue/ }).click();
  await page
    .locator('[data-testid^="sweep-"]')
    .filter({ hasText: 'many series' })
    .getByRole('button', { name: /Decay curves/ })
    .click();
  await page.getByTestId('t-filter').selectOption('all');
  await expect.poll(async () => (await chart(page, 'decay'))?.labels.filter(Boolean).length ?? 0).toBeGreaterThan(40);

  const svgText = (await download(page, () => page.getByTestId('svg-decay').click())).bytes.toString('utf8');
  const fig = (await chart(page, 'decay'))!.figure!;
  const shot = await page.context().newPage();
  await shot.setViewportSize({ width: Math.ceil(fig.width) + 20, height: Math.ceil(fig.height) + 20 });
  await shot.setContent(`<body style="margin:10px;background:#888">${svgText.replace(/^<\?xml[^>]*>/, '')}</body>`);
  // Every legend label lies inside the figure, none over another.
  const boxes = await shot.evaluate(() =>
    Array.from(document.querySelectorAll('body > svg > g > text'), (t) => {
      const r = (t as SVGTextElement).getBoundingClientRect();
      return { text: t.textContent ?? '', x: r.x, y: r.y, right: r.right, bottom: r.bottom };
    }),
  );
  expect(boxes.length).toBeGreaterThan(40);
  for (const b of boxes) {
    expect(b.x, b.text).toBeGreaterThanOrEqual(10);
    expect(b.right, b.text).toBeLessThanOrEqual(10 + fig.width + 0.5);
    expect(b.bottom, b.text).toBeLessThanOrEqual(10 + fig.height + 0.5);
  }
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap =
        Math.min(a.right, b.right) - Math.max(a.x, b.x) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.y, b.y) > 1;
      expect(overlap, `${a.text} / ${b.text}`).toBe(false);
    }
  await shot.screenshot({ path: join(SHOTS, 'figure-many-series-svg.png') });
  await shot.close();
});

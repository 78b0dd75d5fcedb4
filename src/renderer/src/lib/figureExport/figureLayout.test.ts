import { describe, expect, it } from 'vitest';
import { FIGURE_FONTS, layoutFigure, wrapText, type Box, type FigureLayout, type Measure } from './figureLayout';
import { legendFromDatasets, type LegendGroup } from './legend';
import { figureFileName, figureFooter } from './figureFile';

/** A monospace stand-in for the canvas: each character 0.6 of the font's pixel size wide. */
const measure: Measure = (text, font) => text.length * 0.6 * Number(/(\d+)px/.exec(font)![1]);

const inside = (inner: Box, outer: { width: number; height: number }): boolean =>
  inner.x >= 0 && inner.y >= 0 && inner.x + inner.width <= outer.width && inner.y + inner.height <= outer.height;
const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function textBoxes(layout: FigureLayout, role: string): Box[] {
  return layout.texts
    .filter((t) => t.role === role)
    .map((t) => ({ x: t.align === 'center' ? t.x - t.width / 2 : t.x, y: t.y - 12, width: t.width, height: 14 }));
}

function entries(n: number, label = (i: number) => `T=${16 * 2 ** (i % 9)}, bf=${i % 6}, seed ${i}`): LegendGroup[] {
  return [
    {
      title: 'colour: T',
      entries: Array.from({ length: n }, (_, i) => ({ label: label(i), color: '#1f77b4', dash: i % 2 ? [6, 4] : [] })),
    },
  ];
}

describe('figure layout', () => {
  it('puts the title above the chart, a short legend beside it and the footer below all', () => {
    const layout = layoutFigure(
      {
        title: 'dh vs distance',
        footer: 'sweep "A" · H=64 · SeqLab 0.1.0',
        legend: entries(3),
        chartWidth: 600,
        chartHeight: 400,
      },
      measure,
    );
    const [title] = textBoxes(layout, 'title');
    const footer = textBoxes(layout, 'footer');
    expect(title.y + title.height).toBeLessThanOrEqual(layout.chart.y);
    expect(layout.chart).toMatchObject({ width: 600, height: 400 });
    expect(layout.legend!.x).toBeGreaterThanOrEqual(layout.chart.x + layout.chart.width);
    expect(footer[0].y).toBeGreaterThanOrEqual(layout.chart.y + layout.chart.height);
    for (const box of [title, ...footer, layout.chart, layout.legend!]) expect(inside(box, layout)).toBe(true);
    // One text per legend entry and the group's title; one line sample per entry.
    expect(layout.texts.filter((t) => t.role === 'legend').map((t) => t.text)).toEqual(entries(3)[0].entries.map((e) => e.label));
    expect(layout.texts.find((t) => t.role === 'legend-title')?.text).toBe('colour: T');
    expect(layout.samples.map((s) => s.entry.dash)).toEqual([[], [6, 4], []]);
  });

  it('moves a long legend below the chart in columns, never cutting a label (145 series)', () => {
    const legend = entries(145);
    const layout = layoutFigure({ title: 't', footer: 'f', legend, chartWidth: 900, chartHeight: 500 }, measure);
    expect(layout.legend!.y).toBeGreaterThanOrEqual(layout.chart.y + layout.chart.height);
    const labels = textBoxes(layout, 'legend');
    expect(labels).toHaveLength(145);
    for (const [i, box] of labels.entries()) {
      expect(inside(box, layout), `label ${i} inside the figure`).toBe(true);
      expect(layout.texts.filter((t) => t.role === 'legend')[i].width).toBe(
        measure(legend[0].entries[i].label, FIGURE_FONTS.legend),
      );
    }
    for (let i = 0; i < labels.length; i++)
      for (let j = i + 1; j < labels.length; j++) expect(overlaps(labels[i], labels[j])).toBe(false);
    for (const s of layout.samples)
      for (const l of labels) expect(overlaps({ x: s.x1, y: s.y - 1, width: s.x2 - s.x1, height: 2 }, l)).toBe(false);
    const [footer] = textBoxes(layout, 'footer');
    expect(footer.y).toBeGreaterThanOrEqual(layout.legend!.y + layout.legend!.height);
  });

  it('never leaves a group title at the foot of a column', () => {
    const groups: LegendGroup[] = Array.from({ length: 13 }, (_, g) => ({
      title: `bf=${g}`,
      entries: Array.from({ length: 3 }, (_, i) => ({ label: `LSTM bf=${g}, T=${16 << i}`, color: '#333' })),
    }));
    const layout = layoutFigure({ title: '', footer: '', legend: groups, chartWidth: 800, chartHeight: 300 }, measure);
    const legendTexts = layout.texts.filter((t) => t.role === 'legend' || t.role === 'legend-title');
    const columns = [...new Set(legendTexts.map((t) => Math.round(t.role === 'legend' ? t.x - 34 : t.x)))];
    expect(columns.length).toBeGreaterThan(1);
    for (const x of columns) {
      const column = legendTexts.filter((t) => Math.round(t.role === 'legend' ? t.x - 34 : t.x) === x).sort((a, b) => a.y - b.y);
      expect(column.at(-1)!.role, `column at x=${x}`).toBe('legend');
    }
    expect(layout.width).toBeLessThanOrEqual(800 + 32);
  });

  it('widens the figure for a label wider than the chart rather than cutting it', () => {
    const long = 'x'.repeat(200);
    const layout = layoutFigure(
      { title: '', footer: '', legend: entries(60, () => long), chartWidth: 300, chartHeight: 200 },
      measure,
    );
    const label = layout.texts.find((t) => t.role === 'legend')!;
    expect(label.text).toBe(long);
    expect(label.x + label.width).toBeLessThanOrEqual(layout.width);
  });

  it('wraps a long title and footer to the figure width', () => {
    const footer = Array.from({ length: 40 }, (_, i) => `sweep-${i}`).join(' · ');
    const layout = layoutFigure({ title: 'A title', footer, legend: [], chartWidth: 400, chartHeight: 300 }, measure);
    const lines = layout.texts.filter((t) => t.role === 'footer');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((l) => l.text).join(' ')).toBe(footer);
    for (const l of lines) expect(l.x + l.width).toBeLessThanOrEqual(layout.width - 16);
    expect(layout.legend).toBeNull();
  });

  it('cuts a single word wider than the line by characters', () => {
    const lines = wrapText('a ' + 'b'.repeat(50) + ' c', 60, FIGURE_FONTS.footer, measure);
    expect(lines.join('').replace(/\s/g, '')).toBe('a' + 'b'.repeat(50) + 'c');
    expect(lines[0]).toBe('a');
    for (const l of lines) expect(measure(l, FIGURE_FONTS.footer)).toBeLessThanOrEqual(60);
  });
});

describe('figure legend and file', () => {
  it('takes the visible, labelled datasets once each', () => {
    const groups = legendFromDatasets(
      [
        { label: 'RNN', borderColor: '#d62728', borderDash: [6, 4] },
        { label: '', borderColor: 'transparent' },
        { label: 'LSTM bf=1', borderColor: '#1f77b4' },
        { label: 'LSTM bf=1', borderColor: '#1f77b4' },
        { label: 'hidden', borderColor: '#000' },
      ],
      (i) => i !== 4,
    );
    expect(groups).toEqual([
      {
        entries: [
          { label: 'RNN', color: '#d62728', dash: [6, 4], lineWidth: 2 },
          { label: 'LSTM bf=1', color: '#1f77b4', dash: [], lineWidth: 2 },
        ],
      },
    ]);
  });
  it('names files by chart and scale and signs the footer with the version', () => {
    expect(figureFileName('decay', 'png', 1)).toBe('decay.png');
    expect(figureFileName('decay', 'png', 3)).toBe('decay@3x.png');
    expect(figureFileName('summary', 'svg', 1)).toBe('summary.svg');
    expect(figureFooter('sweep "A" · H=64', '1.2.3')).toBe('sweep "A" · H=64 · SeqLab 1.2.3');
    expect(figureFooter('  ', '1.2.3')).toBe('SeqLab 1.2.3');
  });
});

// Where everything of an exported figure goes: the title above the chart, the legend beside it
// (or below it, in columns, when it is taller than the chart), the footer under all. Pure: text
// widths come from the caller's measure function, so this is tested in Node and shared by the
// PNG and SVG renderers. Units are CSS pixels; a PNG at k x scales them all by k.
import type { LegendEntry, LegendGroup } from './legend';

export const FIGURE_FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const FIGURE_FONTS = {
  title: `bold 16px ${FIGURE_FONT_FAMILY}`,
  legendTitle: `bold 12px ${FIGURE_FONT_FAMILY}`,
  legend: `12px ${FIGURE_FONT_FAMILY}`,
  footer: `11px ${FIGURE_FONT_FAMILY}`,
} as const;
const LINE_HEIGHT = { title: 20, legend: 17, footer: 14 } as const;
const PAD = 16;
const GAP = 12;
const SAMPLE = 28; // the line sample in front of a legend label
const SAMPLE_GAP = 6;
const COLUMN_GAP = 18;
/** A legend at most this many columns wide goes beside the chart; a longer one goes below it. */
const MAX_SIDE_COLUMNS = 2;

export type Measure = (text: string, font: string) => number;
export type Box = { x: number; y: number; width: number; height: number };
export type TextRole = 'title' | 'legend-title' | 'legend' | 'footer';

export interface FigureText {
  text: string;
  /** The left end (align left) or the centre (align center), and the alphabetic baseline. */
  x: number;
  y: number;
  font: string;
  color: string;
  align: 'left' | 'center';
  role: TextRole;
  width: number;
}

export interface LegendSample {
  x1: number;
  x2: number;
  y: number;
  entry: LegendEntry;
}

export interface FigureLayout {
  width: number;
  height: number;
  chart: Box;
  legend: Box | null;
  texts: FigureText[];
  samples: LegendSample[];
}

export interface FigureContent {
  title: string;
  footer: string;
  legend: LegendGroup[];
  chartWidth: number;
  chartHeight: number;
}

/** Words filled into lines no wider than maxWidth; a word wider than that is cut by characters. */
export function wrapText(text: string, maxWidth: number, font: string, measure: Measure): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line ? `${line} ${word}` : word;
      if (measure(candidate, font) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      line = '';
      let rest = word;
      while (measure(rest, font) > maxWidth && rest.length > 1) {
        let n = rest.length - 1;
        while (n > 1 && measure(rest.slice(0, n), font) > maxWidth) n--;
        lines.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      line = rest;
    }
    if (line) lines.push(line);
  }
  return lines;
}

type LegendItem = { kind: 'title'; text: string; width: number } | { kind: 'entry'; entry: LegendEntry; width: number };

function legendItems(groups: LegendGroup[], measure: Measure): LegendItem[] {
  const items: LegendItem[] = [];
  for (const g of groups) {
    if (g.entries.length === 0) continue;
    if (g.title) items.push({ kind: 'title', text: g.title, width: measure(g.title, FIGURE_FONTS.legendTitle) });
    for (const entry of g.entries)
      items.push({ kind: 'entry', entry, width: SAMPLE + SAMPLE_GAP + measure(entry.label, FIGURE_FONTS.legend) });
  }
  return items;
}

/**
 * Items in columns of at most `rows` each, filled top to bottom then left to right; a group's
 * title never ends a column (it moves to the top of the next, with its entries).
 */
function legendColumns(items: LegendItem[], rows: number): LegendItem[][] {
  const columns: LegendItem[][] = [];
  let column: LegendItem[] = [];
  for (const [i, item] of items.entries()) {
    const orphanTitle = item.kind === 'title' && column.length === rows - 1 && i < items.length - 1;
    if (column.length === rows || (orphanTitle && rows > 1)) {
      columns.push(column);
      column = [];
    }
    column.push(item);
  }
  if (column.length) columns.push(column);
  return columns;
}

function placeLegend(columns: LegendItem[][], x0: number, y0: number, out: FigureLayout): Box {
  let x = x0;
  let bottom = y0;
  for (const column of columns) {
    const width = Math.max(...column.map((it) => it.width));
    column.forEach((it, row) => {
      const mid = y0 + row * LINE_HEIGHT.legend + LINE_HEIGHT.legend / 2;
      const baseline = mid + 4;
      if (it.kind === 'title') {
        out.texts.push({
          text: it.text,
          x,
          y: baseline,
          font: FIGURE_FONTS.legendTitle,
          color: '#222',
          align: 'left',
          role: 'legend-title',
          width: it.width,
        });
      } else {
        out.samples.push({ x1: x, x2: x + SAMPLE, y: mid, entry: it.entry });
        out.texts.push({
          text: it.entry.label,
          x: x + SAMPLE + SAMPLE_GAP,
          y: baseline,
          font: FIGURE_FONTS.legend,
          color: '#333',
          align: 'left',
          role: 'legend',
          width: it.width - SAMPLE - SAMPLE_GAP,
        });
      }
    });
    bottom = Math.max(bottom, y0 + column.length * LINE_HEIGHT.legend);
    x += width + COLUMN_GAP;
  }
  return { x: x0, y: y0, width: x - COLUMN_GAP - x0, height: bottom - y0 };
}

export function layoutFigure(content: FigureContent, measure: Measure): FigureLayout {
  const out: FigureLayout = {
    width: 0,
    height: 0,
    chart: { x: 0, y: 0, width: 0, height: 0 },
    legend: null,
    texts: [],
    samples: [],
  };
  const items = legendItems(content.legend, measure);
  const sideRows = Math.max(1, Math.floor(content.chartHeight / LINE_HEIGHT.legend));
  const sideColumns = legendColumns(items, sideRows);
  const beside = items.length > 0 && sideColumns.length <= MAX_SIDE_COLUMNS;

  // Widths first: the legend beside the chart widens the figure; title and footer wrap to it.
  const sideWidth =
    (beside ? sideColumns : []).reduce((w, c) => w + Math.max(...c.map((it) => it.width)) + COLUMN_GAP, 0) -
    (beside ? COLUMN_GAP : 0);
  const innerWidth = content.chartWidth + (beside ? GAP + sideWidth : 0);
  const titleLines = content.title ? wrapText(content.title, innerWidth, FIGURE_FONTS.title, measure) : [];
  const footerLines = content.footer ? wrapText(content.footer, innerWidth, FIGURE_FONTS.footer, measure) : [];

  let y = PAD;
  for (const line of titleLines) {
    y += LINE_HEIGHT.title;
    out.texts.push({
      text: line,
      x: PAD + innerWidth / 2,
      y: y - 5,
      font: FIGURE_FONTS.title,
      color: '#111',
      align: 'center',
      role: 'title',
      width: measure(line, FIGURE_FONTS.title),
    });
  }
  if (titleLines.length) y += GAP / 2;
  out.chart = { x: PAD, y, width: content.chartWidth, height: content.chartHeight };
  y += content.chartHeight;

  if (beside) {
    const legendHeight = Math.max(...sideColumns.map((c) => c.length)) * LINE_HEIGHT.legend;
    // Centred beside the plot, as chart.js places its own right-hand legend.
    const top = out.chart.y + Math.max(0, (content.chartHeight - legendHeight) / 2);
    out.legend = placeLegend(sideColumns, PAD + content.chartWidth + GAP, top, out);
  } else if (items.length) {
    // Below: as many columns as fit the chart's width, every label whole.
    const widest = Math.max(...items.map((it) => it.width));
    const perRow = Math.max(1, Math.floor((content.chartWidth + COLUMN_GAP) / (widest + COLUMN_GAP)));
    let rows = Math.ceil(items.length / perRow);
    // Titles moved off the foot of a column can add a column: lengthen the columns instead.
    while (legendColumns(items, rows).length > perRow) rows++;
    y += GAP;
    out.legend = placeLegend(legendColumns(items, rows), PAD, y, out);
    y += out.legend.height;
  }

  let width = PAD + innerWidth;
  if (out.legend) width = Math.max(width, out.legend.x + out.legend.width);
  width += PAD;
  if (footerLines.length) y += GAP;
  for (const line of footerLines) {
    y += LINE_HEIGHT.footer;
    out.texts.push({
      text: line,
      x: PAD,
      y: y - 3,
      font: FIGURE_FONTS.footer,
      color: '#555',
      align: 'left',
      role: 'footer',
      width: measure(line, FIGURE_FONTS.footer),
    });
  }
  out.width = Math.ceil(width);
  out.height = Math.ceil(y + PAD);
  return out;
}

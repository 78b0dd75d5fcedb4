// Renders a LineChart as a figure: the chart re-drawn offscreen by chart.js with the on-screen
// configuration and ranges (zoom included), framed by the title, legend and footer of
// figureLayout. PNG: a canvas at k device pixels per CSS pixel. SVG: the same drawing recorded by
// svgcanvas, so lines are paths and every label a <text>.
import { BasicPlatform } from 'chart.js';
import { Context as SvgContext } from 'svgcanvas';
import { Chart, setupCharts } from '../chartSetup';
import { lineChartConfig, type AxisRange, type LineChartConfig, type LineChartSpec, type XY } from '../lineChartConfig';
import { drawFigureFrame } from './drawFigure';
import { layoutFigure, type FigureLayout } from './figureLayout';
import type { LegendGroup } from './legend';

export interface FigureRequest {
  spec: LineChartSpec;
  /** The plot's size on screen, CSS pixels (without chart.js's own legend). */
  chartWidth: number;
  chartHeight: number;
  /** The ranges on screen now (after any zoom or pan). */
  xRange: AxisRange;
  yRange: AxisRange;
  /** Datasets hidden on screen (clicked off in the legend). */
  hiddenDatasets: number[];
  title: string;
  footer: string;
  legend: LegendGroup[];
}

function measureWith(ctx: CanvasRenderingContext2D): (text: string, font: string) => number {
  return (text, font) => {
    ctx.font = font;
    return ctx.measureText(text).width;
  };
}

export function figureLayoutFor(req: FigureRequest): FigureLayout {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  return layoutFigure(
    { title: req.title, footer: req.footer, legend: req.legend, chartWidth: req.chartWidth, chartHeight: req.chartHeight },
    measureWith(ctx),
  );
}

function exportConfig(req: FigureRequest, devicePixelRatio: number, target: 'canvas' | 'svg'): LineChartConfig {
  const config = lineChartConfig({ ...req.spec, xRange: req.xRange, yRange: req.yRange }, null);
  // Copies, so the offscreen chart's bookkeeping never touches the on-screen chart's datasets.
  config.data.datasets = req.spec.datasets.map((d, i) => ({
    ...d,
    hidden: req.hiddenDatasets.includes(i) || d.hidden,
    // chart.js strokes a line as one Path2D object, which svgcanvas cannot read; with a segment
    // option it draws the same line by moveTo/lineTo, which svgcanvas records as a <path>.
    ...(target === 'svg' ? { segment: d.segment ?? {} } : {}),
  }));
  config.options = { ...config.options, devicePixelRatio };
  config.platform = BasicPlatform;
  return config;
}

/**
 * chart.js draws into `item` (a canvas, or anything whose getContext('2d') returns a context);
 * `take` copies the drawing out before the chart is destroyed (destroy clears its canvas).
 */
function drawChart<T>(
  item: { getContext(kind: '2d'): CanvasRenderingContext2D | null },
  req: FigureRequest,
  ratio: number,
  target: 'canvas' | 'svg',
  take: () => T,
): T {
  setupCharts();
  const chart = new Chart<'line', XY[]>(item as HTMLCanvasElement, exportConfig(req, ratio, target));
  try {
    chart.update('none');
    return take();
  } finally {
    chart.destroy();
  }
}

export async function renderFigurePng(req: FigureRequest, scale: number): Promise<{ blob: Blob; layout: FigureLayout }> {
  const layout = figureLayoutFor(req);
  const plot = document.createElement('canvas');
  plot.width = req.chartWidth;
  plot.height = req.chartHeight;

  const figure = document.createElement('canvas');
  figure.width = Math.round(layout.width * scale);
  figure.height = Math.round(layout.height * scale);
  const ctx = figure.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.scale(scale, scale);
  drawFigureFrame(ctx, layout);
  drawChart(plot, req, scale, 'canvas', () =>
    ctx.drawImage(plot, layout.chart.x, layout.chart.y, layout.chart.width, layout.chart.height),
  );
  const blob = await new Promise<Blob | null>((resolve) => figure.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the figure could not be encoded as PNG');
  return { blob, layout };
}

export function renderFigureSvg(req: FigureRequest): { svg: string; layout: FigureLayout } {
  const layout = figureLayoutFor(req);
  const frame = new SvgContext({ width: layout.width, height: layout.height });
  drawFigureFrame(frame, layout);
  const plot = new SvgContext({ width: req.chartWidth, height: req.chartHeight });
  const plotSvg = drawChart({ getContext: () => plot }, req, 1, 'svg', () => plot.getSvg().cloneNode(true) as SVGSVGElement);

  const root = frame.getSvg();
  plotSvg.setAttribute('x', String(layout.chart.x));
  plotSvg.setAttribute('y', String(layout.chart.y));
  root.appendChild(plotSvg);
  root.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
  const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
  title.textContent = req.title;
  root.insertBefore(title, root.firstChild);
  return { svg: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(root)}`, layout };
}

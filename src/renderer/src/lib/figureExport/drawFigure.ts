// Draws a figure's frame (white ground, title, legend, footer) with the canvas 2D API, so one
// drawing serves the PNG (a real canvas) and the SVG (svgcanvas's context: text stays text).
import type { FigureLayout } from './figureLayout';

/** The part of CanvasRenderingContext2D both a canvas and svgcanvas provide. */
export type Context2D = Pick<
  CanvasRenderingContext2D,
  'save' | 'restore' | 'fillRect' | 'fillText' | 'beginPath' | 'moveTo' | 'lineTo' | 'stroke' | 'setLineDash'
> & {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  font: string;
  textAlign: CanvasTextAlign;
  textBaseline: CanvasTextBaseline;
};

export function drawFigureFrame(ctx: Context2D, layout: FigureLayout): void {
  ctx.save();
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, layout.width, layout.height);
  ctx.textBaseline = 'alphabetic';
  for (const t of layout.texts) {
    ctx.font = t.font;
    ctx.fillStyle = t.color;
    ctx.textAlign = t.align;
    ctx.fillText(t.text, t.x, t.y);
  }
  for (const s of layout.samples) {
    ctx.beginPath();
    ctx.strokeStyle = s.entry.color;
    ctx.lineWidth = s.entry.lineWidth ?? 2;
    ctx.setLineDash(s.entry.dash ?? []);
    ctx.moveTo(s.x1, s.y);
    ctx.lineTo(s.x2, s.y);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.restore();
}

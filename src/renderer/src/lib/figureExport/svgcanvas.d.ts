// The part of svgcanvas (a canvas 2D context that records SVG) the figure export uses; the
// package ships no types.
declare module 'svgcanvas' {
  export interface ContextOptions {
    width: number;
    height: number;
    document?: Document;
  }
  /** Every CanvasRenderingContext2D member chart.js calls, recorded as SVG. */
  export interface SvgContext2D extends CanvasRenderingContext2D {
    width: number;
    height: number;
    /** The recorded drawing as an <svg> element. */
    getSvg(): SVGSVGElement;
  }
  export const Context: new (options: ContextOptions) => SvgContext2D;
}

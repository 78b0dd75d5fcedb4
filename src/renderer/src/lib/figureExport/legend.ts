// What an exported figure's legend shows. A view that draws its own HTML legend passes these so
// the figure carries the same key; otherwise they come from the chart's visible datasets.

export interface LegendEntry {
  label: string;
  color: string;
  /** Canvas line dash ([] or absent: solid). */
  dash?: number[];
  lineWidth?: number;
}

export interface LegendGroup {
  /** e.g. "colour: T" or "dash: arch"; absent for a plain list. */
  title?: string;
  entries: LegendEntry[];
}

interface DatasetLike {
  label?: string;
  borderColor?: unknown;
  borderDash?: unknown;
  borderWidth?: unknown;
}

/** One entry per labelled, visible dataset, the same label and style once. */
export function legendFromDatasets(datasets: DatasetLike[], isVisible: (index: number) => boolean = () => true): LegendGroup[] {
  const seen = new Set<string>();
  const entries: LegendEntry[] = [];
  datasets.forEach((d, i) => {
    if (!d.label || !isVisible(i)) return;
    const color = typeof d.borderColor === 'string' ? d.borderColor : '#333';
    const dash = Array.isArray(d.borderDash) ? (d.borderDash as number[]) : [];
    const lineWidth = typeof d.borderWidth === 'number' ? d.borderWidth : 2;
    const key = JSON.stringify([d.label, color, dash, lineWidth]);
    if (seen.has(key)) return;
    seen.add(key);
    entries.push({ label: d.label, color, dash, lineWidth });
  });
  return entries.length ? [{ entries }] : [];
}

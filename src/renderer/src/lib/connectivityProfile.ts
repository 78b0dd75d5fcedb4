// One row of connectivity tables as a decay curve: the loss at step t against the distance t - k
// of each step k it reaches back to, log10 of the norm (an exact 0 is left out of the line, as a
// log axis cannot draw it, and counted). What a row of the heatmap says, readable as numbers.
import type { ConnectivityTable } from '../../../contract/connectivity';

export interface ProfileSeries {
  probeId: number;
  /** The sampled loss step nearest the asked one. */
  lossStep: number;
  points: { x: number; y: number }[];
  exactZeros: number;
}

export function profileOf(table: ConnectivityTable, lossStep: number): ProfileSeries {
  const n = table.steps.length;
  let i = 0;
  for (let r = 0; r < n; r++) if (Math.abs(table.steps[r] - lossStep) < Math.abs(table.steps[i] - lossStep)) i = r;
  const t = table.steps[i];
  const points: { x: number; y: number }[] = [];
  let exactZeros = 0;
  for (let j = i; j >= 0; j--) {
    const v = table.log10[i * n + j];
    if (v === null) exactZeros++;
    else points.push({ x: t - table.steps[j], y: v });
  }
  return { probeId: table.probeId, lossStep: t, points, exactZeros };
}

// The Decay curves chart's axis titles, with their units: the distance in steps, the norm on a
// log scale (the ticks read 10^k). Pure.
import type { NormName } from '../../../contract/labApi';
import type { XScale } from './decayChart';
import { normSymbol } from './connectivityText';

export function decayAxisTitles(norm: NormName, xScale: XScale): { xTitle: string; yTitle: string } {
  return {
    xTitle: `distance t − k from the loss step (steps${xScale === 'log' ? '; log scale, 0 not shown' : ''})`,
    yTitle: `${normSymbol(norm)} (log scale)`,
  };
}

// What each probe of a sweep computes besides its config, from the sweep's spec: sent to the
// worker with every probe, and what the estimate's cost model counts.
import type { NormName } from '../../contract/labApi';
import type { SweepSpec } from '../../contract/sweepSpec';

export interface SweepProbeSettings {
  /** Lyapunov vectors per sequence; 0: none computed. */
  lyapunovVectors: number;
  /** The norms asked; absent: all five. */
  norms?: NormName[];
}

export function sweepProbeSettings(spec: Pick<SweepSpec, 'lyapunovVectors' | 'norms'>): SweepProbeSettings {
  const settings: SweepProbeSettings = { lyapunovVectors: spec.lyapunovVectors ?? 0 };
  if (spec.norms) settings.norms = [...spec.norms];
  return settings;
}

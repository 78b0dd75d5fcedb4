// The allowed range of every probe input, checked before any buffer is allocated.
import { planTrace, type ProbeNeeds } from './tracePlan';
import { DEFAULT_LYAPUNOV_K } from './lyapunov';
import type { ProbeConfig } from './probeConfig';

export class ProbeConfigError extends Error {
  constructor(
    readonly field: keyof ProbeConfig | 'memory',
    message: string,
  ) {
    super(message);
    this.name = 'ProbeConfigError';
  }
}

export const LIMITS = {
  T: { min: 1, max: 1_000_000 },
  N: { min: 1, max: 65_536 },
  D: { min: 1, max: 65_536 },
  H: { min: 1, max: 65_536 },
  seed: { min: 0, max: 4_294_967_295 },
  forgetBias: { min: -50, max: 50 },
  whGain: { min: 0, max: 100 },
  h0Scale: { min: 0, max: 100 },
  bScale: { min: 0, max: 100 },
} as const;

/**
 * The most threads a probe's products may use (native/parallel.h, SEQ_MAX_THREADS): a probe
 * given the cores its lab leaves idle splits its large products over them.
 */
export const MAX_PROBE_THREADS = 16;

/** The threads each of `probes` probes run at once gets of `cores` otherwise idle cores: an equal share, 1 to MAX_PROBE_THREADS. */
export function threadsEach(cores: number, probes: number): number {
  return Math.min(MAX_PROBE_THREADS, Math.max(1, Math.floor(cores / probes)));
}

/** The default memory a single probe may take: 4 GiB. Callers that know the machine pass their own. */
export const DEFAULT_MAX_PROBE_BYTES = 4 * 1024 ** 3;

type IntField = 'T' | 'N' | 'D' | 'H' | 'seed';
type RealField = 'forgetBias' | 'whGain' | 'h0Scale' | 'bScale';

/**
 * What a probe is assumed to compute when the caller does not say: everything the CLI's probe
 * (the full gradients) or a sweep's (the Lyapunov exponents, see probeCost.ts) does.
 */
const ALL_NEEDS: ProbeNeeds = { fullGradients: true, lyapunovK: DEFAULT_LYAPUNOV_K };

/**
 * Bytes one probe allocates under a budget of maxBytes (its trace stored, or checkpointed when
 * that does not fit: see tracePlan.ts), computing `needs`.
 */
export function probeBytes(
  c: Pick<ProbeConfig, 'arch' | 'T' | 'N' | 'D' | 'H'>,
  needs: ProbeNeeds = ALL_NEEDS,
  maxBytes = DEFAULT_MAX_PROBE_BYTES,
): number {
  return planTrace(c, needs, maxBytes).bytes;
}

export function validateProbeConfig(c: ProbeConfig, maxBytes = DEFAULT_MAX_PROBE_BYTES, needs: ProbeNeeds = ALL_NEEDS): void {
  if (c.arch !== 'rnn' && c.arch !== 'lstm' && c.arch !== 'gru') {
    throw new ProbeConfigError('arch', `arch must be one of rnn, lstm, gru; got ${JSON.stringify(c.arch)}`);
  }
  for (const f of ['T', 'N', 'D', 'H', 'seed'] as IntField[]) checkInt(f, c[f]);
  for (const f of ['forgetBias', 'whGain', 'h0Scale', 'bScale'] as RealField[]) checkReal(f, c[f]);
  if (c.rng !== 'numpy') throw new ProbeConfigError('rng', `rng must be numpy; got ${JSON.stringify(c.rng)}`);
  if (c.init !== 'article' && c.init !== 'scaled') {
    throw new ProbeConfigError('init', `init must be one of article, scaled; got ${JSON.stringify(c.init)}`);
  }
  if (!Number.isInteger(c.lossStep) || c.lossStep < 0 || c.lossStep > c.T - 1) {
    throw new ProbeConfigError('lossStep', `lossStep must be an integer in [0, ${c.T - 1}] (T-1), got ${c.lossStep}`);
  }
  const bytes = probeBytes(c, needs, maxBytes);
  if (bytes > maxBytes) {
    throw new ProbeConfigError(
      'memory',
      `a probe with T=${c.T}, N=${c.N}, D=${c.D}, H=${c.H} needs ${formatBytes(bytes)}, more than the ${formatBytes(maxBytes)} allowed; reduce T, N, D or H`,
    );
  }
}

function checkInt(field: IntField, v: number): void {
  const { min, max } = LIMITS[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProbeConfigError(field, `${field} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
}

function checkReal(field: RealField, v: number): void {
  const { min, max } = LIMITS[field];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ProbeConfigError(field, `${field} must be a number in [${min}, ${max}], got ${String(v)}`);
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

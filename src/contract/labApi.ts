// The one contract between the renderer and the lab: every call and event, as types only.
// Implemented once in src/lab/labService.ts (over the sweep runner and store) and carried by thin
// adapters: Electron IPC (src/main + src/preload) and the local lab server (src/server).
import type { Result } from './result';
import type { SweepSpec, SweepSpecInput } from './sweepSpec';

export type Arch = 'rnn' | 'lstm';
export type NormName = 'dh' | 'dc' | 'dWx' | 'dWh' | 'db';
export const NORM_NAMES: readonly NormName[] = ['dh', 'dc', 'dWx', 'dWh', 'db'];

export type SweepStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
export type ProbeStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SweepEstimate {
  probes: number;
  /** Stored norms: sum over probes of (lossStep + 1) steps x norms per step. */
  norms: number;
  diskBytes: number;
  /** Rough wall time on this machine with the configured worker count. */
  seconds: number;
  workers: number;
}

/** A spec that passed every check: defaults filled in, and how many probes it expands to. */
export interface SweepCheck {
  spec: SweepSpec;
  probes: number;
}

export interface SweepSummary {
  id: number;
  name: string;
  status: SweepStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  probes: { total: number; queued: number; running: number; done: number; failed: number; cancelled: number };
  /** Probes finished per second over the recent window, null before the first. */
  throughput: number | null;
  etaSeconds: number | null;
  elapsedSeconds: number;
  /** Only while its probes are still being inserted (a big sweep is queued in chunks): `queued` of `total` are in. */
  queueing?: { queued: number; total: number };
}

export interface ProbeSummary {
  id: number;
  arch: Arch;
  T: number;
  /** null for the RNN: the forget-gate bias does not apply. */
  forgetBias: number | null;
  seed: number;
  status: ProbeStatus;
  attempts: number;
  error: string | null;
  seconds: number | null;
}

export interface SweepDetail {
  summary: SweepSummary;
  spec: SweepSpec;
  probes: ProbeSummary[];
}

/** One probe's curve: log10 of the chosen norm at each step k = 0..lossStep (null = exact 0). */
export interface Curve {
  probeId: number;
  arch: Arch;
  T: number;
  forgetBias: number | null;
  seed: number;
  lossStep: number;
  log10: (number | null)[];
  /** Forward-pass statistics for the theory overlays. */
  theory: ProbeTheory;
}

export interface ProbeTheory {
  /** Wh gain g of the scaled init (1 for the article init). */
  whGain: number;
  /** Largest singular value of Wh (the RNN's recurrent matrix; for the LSTM, of all of Wh). */
  whSpectralNorm: number;
  /** RNN: sqrt(E[tanh'(a)^2]) over every unit and step of the run. LSTM: mean forget gate. */
  meanSlope: number;
}

export interface CurveQuery {
  sweepId: number;
  norm: NormName;
  /** Only probes of this sequence length. */
  T?: number;
}

export interface CurveSet {
  sweepId: number;
  norm: NormName;
  curves: Curve[];
}

export interface ExportRequest {
  /** Empty or absent: every sweep. */
  sweepIds?: number[];
}

export interface ExportDone {
  rows: number;
  /** Where it went: a file path (Electron, CLI) or a file name (browser download). */
  location: string;
}

export interface ProgressEvent {
  sweep: SweepSummary;
  /** The probe that just finished, failed or was requeued, if any. */
  probe?: ProbeSummary;
}

/** The open lab file, as the app shows it. */
export interface LabInfo {
  /** The file's name (without its folder). */
  fileName: string;
  /**
   * On read-only media (an archive, a snapshot, a shared drive): its sweeps can be read, charted
   * and exported; queueing, pausing, cancelling and retrying answer `read-only`.
   */
  readOnly: boolean;
}

/** Every call of the lab. All return errors as values. */
export interface LabApi {
  getLabInfo(): Promise<Result<LabInfo>>;
  /** Validates a spec (every field, and the memory one probe needs here) without queueing it. */
  checkSweep(spec: SweepSpecInput): Promise<Result<SweepCheck>>;
  estimateSweep(spec: SweepSpecInput): Promise<Result<SweepEstimate>>;
  queueSweep(spec: SweepSpecInput): Promise<Result<SweepSummary>>;
  listSweeps(): Promise<Result<SweepSummary[]>>;
  getSweep(sweepId: number): Promise<Result<SweepDetail>>;
  /**
   * The ids of sweeps given by name or id, as a user types them: a name matches every sweep of
   * that name, otherwise a number is an id. Every ref must match (not-found names the first that
   * does not); the ids come back once each, in the order given.
   */
  resolveSweeps(refs: string[]): Promise<Result<number[]>>;
  cancelSweep(sweepId: number): Promise<Result<SweepSummary>>;
  pauseSweep(sweepId: number): Promise<Result<SweepSummary>>;
  resumeSweep(sweepId: number): Promise<Result<SweepSummary>>;
  retryFailed(sweepId: number): Promise<Result<SweepSummary>>;
  loadCurves(query: CurveQuery): Promise<Result<CurveSet>>;
  exportCsv(request: ExportRequest): Promise<Result<ExportDone>>;
}

export type LabCall = keyof LabApi;

/** The renderer's view: the calls plus a progress subscription (returns an unsubscribe). */
export interface LabClient extends LabApi {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
}

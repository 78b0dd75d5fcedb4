// The one contract between the renderer and the lab: every call and event, as types only.
// Implemented once in src/lab/labService.ts (over the sweep runner and store) and carried by thin
// adapters: Electron IPC (src/main + src/preload) and the local lab server (src/server).
import type { Result } from './result';
import type { SweepSpec, SweepSpecRequest } from './sweepSpec';
import type { ProbeRatesRequest, ProbeRatesRow } from './probeRates';
import type { ConnectivityAnswer, ConnectivityRequest } from './connectivity';

export type Arch = 'rnn' | 'lstm' | 'gru';
export type NormName = 'dh' | 'dc' | 'dWx' | 'dWh' | 'db';
export const NORM_NAMES: readonly NormName[] = ['dh', 'dc', 'dWx', 'dWh', 'db'];

export type SweepStatus = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';
export type ProbeStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SweepEstimate {
  probes: number;
  /** Stored norms: sum over probes of (lossStep + 1) steps x norms per step. */
  norms: number;
  diskBytes: number;
  /** Wall time on this machine with the configured worker count. */
  seconds: number;
  workers: number;
  /**
   * Where `seconds` comes from: 'timed', the sweep's own shapes timed by the workers just now
   * (src/lab/sweep/timedEstimate.ts); 'calibrated', the cost model at the speed two small
   * calibration probes measured, a rough figure (up to several times off), used while the
   * workers are running probes.
   */
  basis: 'timed' | 'calibrated';
}

/** A spec that passed every check: defaults filled in, and how many probes it expands to. */
export interface SweepCheck {
  spec: SweepSpec;
  probes: number;
  /** The weights / inputs files the spec names, as read (arch, sizes, SHA-256). */
  model?: SweepModelFiles;
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
  /**
   * When the summary was read, in the order of the process that read it (milliseconds since the
   * epoch, strictly increasing within the process): of two summaries of a sweep, the larger is
   * the newer. A reply and a progress event can reach a client in either order; it keeps the newer
   * (newerSummary). Absent from a summary that does not say.
   */
  revision?: number;
}

/** Whether `incoming` should replace `held` (the same sweep's): unless `held` is known to be newer. */
export function newerSummary(incoming: SweepSummary, held: SweepSummary): boolean {
  return incoming.revision === undefined || held.revision === undefined || incoming.revision >= held.revision;
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
  /** The files a sweep with `weights` / `inputs` was queued with (absent: random init, Gaussian inputs). */
  model?: SweepModelFiles;
  /** Bytes its probes and results take in the lab file (about what deleting it frees). */
  sizeBytes: number;
}

/** queueSweep's answer: the sweep, and whether it was one already in the file with the same spec (resumed, nothing recomputed). */
export type QueuedSweep = SweepSummary & { resumed: boolean };

export interface RenameRequest {
  sweepId: number;
  /** The same rules as a spec's name. */
  name: string;
}

export interface DeletedSweep {
  sweepId: number;
  /** What its probes and results took in the file (SweepDetail.sizeBytes): given back to the disk. */
  bytesFreed: number;
  /** The lab file's size afterwards (with its WAL): compacted, it may have shrunk by more. */
  fileBytes: number;
}

/** One worker process and what it runs. */
export interface WorkerActivity {
  /** 1-based, in the order the workers were started. */
  slot: number;
  pid: number | null;
  /** 'timing': timing samples of a sweep's shapes for the sweep form's estimate. */
  state: 'starting' | 'idle' | 'timing' | 'running' | 'stopping';
  /** The probe it runs now (or runs next, between two of its batch). */
  probe: (ProbeSummary & { sweepId: number }) | null;
  /** Probes handed to it and not yet reported, the running one included. */
  batch: number;
}

export interface RunSettings {
  /** Worker processes the lab runs probes in. */
  workers: number;
  /** What it starts with: every core (os.availableParallelism()). */
  defaultWorkers: number;
  cores: number;
  /** The most it may be set to. */
  maxWorkers: number;
  /** Live: what each worker does now (empty on read-only media, and when no worker is up). */
  activity: WorkerActivity[];
}

export interface RunSettingsChange {
  workers: number;
}

/** A trained layer's file: a PyTorch state_dict (.safetensors or .npz) of nn.RNN, nn.LSTM or nn.GRU. */
export interface ModelFileInfo {
  /** What goes into a spec's `weights`: `lab:<sha256>.<ext>` (imported), `example:<file>` (shipped) or a path. */
  ref: string;
  /** The file's name as the user knows it (the upload's name, the example's file name). */
  fileName: string;
  sha256: string;
  arch: Arch;
  D: number;
  H: number;
  layer: number;
  /** Of the layer: weight_ih, weight_hh, bias_ih and bias_hh. */
  parameters: number;
  /** One of the trained models shipped in examples/. */
  example: boolean;
}

/** Sequences x of shape (N, T, D), a .npy file. */
export interface InputsFileInfo {
  ref: string;
  fileName: string;
  sha256: string;
  N: number;
  T: number;
  D: number;
}

/** Stored with a sweep when it is queued, so it stays reproducible (a changed file is refused on resume). */
export interface SweepModelFiles {
  weights?: ModelFileInfo;
  inputs?: InputsFileInfo;
}

export interface ImportModelRequest {
  /** The name of the file chosen (its extension says its format: .safetensors or .npz). */
  fileName: string;
  bytesBase64: string;
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
  /**
   * The rates stored with the probe (src/engine/theory.ts, src/engine/lyapunov.ts), decades per
   * step; null where not computed (Lyapunov: the sweep's lyapunovVectors is 0 or absent) or not
   * applicable. The top finite-time Lyapunov exponent: the exact asymptotic rate.
   */
  lyapunovTop: number | null;
  /** RNN: log10(g_eff sqrt(E[tanh'(a)^2])), g_eff = ||Wh||_F / sqrt(H): a large-H approximation. */
  meanField: number | null;
  /** LSTM: the time-mean log10 f of the slowest-forgetting unit: the cell path only. */
  cellPath: number | null;
  /** RNN: log10 sigma_max(Wh), the Pascanu-Mikolov-Bengio upper bound (gamma = 1). */
  pmbBound: number | null;
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
  checkSweep(spec: SweepSpecRequest): Promise<Result<SweepCheck>>;
  estimateSweep(spec: SweepSpecRequest): Promise<Result<SweepEstimate>>;
  /** Queues the sweep; a spec identical to a sweep in the file (not cancelled) resumes that one instead (`resumed`), as `seqlab sweep` does. */
  queueSweep(spec: SweepSpecRequest): Promise<Result<QueuedSweep>>;
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
  /** A paused sweep runs again; a cancelled one too: its cancelled probes are queued again, its finished ones kept. */
  resumeSweep(sweepId: number): Promise<Result<SweepSummary>>;
  renameSweep(request: RenameRequest): Promise<Result<SweepSummary>>;
  /** Deletes a sweep with its probes and results (not while it runs: cancel or pause it first). */
  deleteSweep(sweepId: number): Promise<Result<DeletedSweep>>;
  getRunSettings(): Promise<Result<RunSettings>>;
  /** Sets the worker count of the running lab: the pool grows or shrinks now. */
  setRunSettings(change: RunSettingsChange): Promise<Result<RunSettings>>;
  retryFailed(sweepId: number): Promise<Result<SweepSummary>>;
  loadCurves(query: CurveQuery): Promise<Result<CurveSet>>;
  exportCsv(request: ExportRequest): Promise<Result<ExportDone>>;
  /** Finished probes' rates and horizons per norm, Lyapunov exponents and theory: `seqlab summary`'s rows (src/lab/probeRates.ts). */
  loadProbeRates(request: ProbeRatesRequest): Promise<Result<ProbeRatesRow[]>>;
  /** A finished probe's connectivity table for one norm: stored, or computed on demand in a worker (poll while 'computing'). */
  loadConnectivity(request: ConnectivityRequest): Promise<Result<ConnectivityAnswer>>;
  /** The trained layers this lab can probe: the files imported into it, then the shipped examples. */
  listModels(): Promise<Result<ModelFileInfo[]>>;
  /** Checks a state_dict and stores it beside the lab file by its SHA-256; its ref goes into a spec's `weights`. */
  importModel(request: ImportModelRequest): Promise<Result<ModelFileInfo>>;
}

export type LabCall = keyof LabApi;

/** The renderer's view: the calls plus a progress subscription (returns an unsubscribe). */
export interface LabClient extends LabApi {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  /**
   * Each time the progress stream (re)connects (returns an unsubscribe): events sent while it was
   * not connected are lost, so the listener reloads what it shows. Absent where no event can be
   * missed (Electron's IPC).
   */
  onConnected?(listener: () => void): () => void;
}

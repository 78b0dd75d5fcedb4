// A probe's connectivity table on demand (issue 10, item 5): read from the lab file when stored;
// otherwise computed in a one-off worker process (never on this thread: it is O(T^2) and can
// take minutes) and stored, while the caller polls for progress. Above CONNECTIVITY_MAX_T it is
// refused with what it would cost.
import {
  CONNECTIVITY_MAX_T,
  connectivityRequestSchema,
  connectivitySteps,
  type ConnectivityAnswer,
  type ConnectivityTable,
} from '../contract/connectivity';
import type { NormName } from '../contract/labApi';
import { fail, ok, type Result } from '../contract/result';
import { lossTableCostTerms } from '../engine/probeCost';
import type { ProbeConfig } from '../engine/index';
import type { WorkerSpawner } from './runner/workerTransport';
import { startLossTableJob, type LossTableJob, type LossTableRows } from './runner/lossTableJob';
import type { SpeedModel } from './sweep/estimateSweep';
import type { ConnectivityStore } from './store/connectivityStore';
import type { LabStore } from './store/labStore';
import { invalid } from './serviceResult';

const ANSWER_WITHIN_MS = 1500;

interface Job {
  probeId: number;
  /** Progress in backward steps (a row t costs t + 1 of them). */
  totalSteps: number;
  doneSteps: number;
  startedAt: number;
  error: string | null;
  finished: Promise<void>;
  run: LossTableJob | null;
}

export interface ConnectivityOptions {
  store: LabStore;
  tables: ConnectivityStore;
  /** How to start the one-off worker; null: this lab cannot compute (read-only), only read. */
  spawn: WorkerSpawner | null;
  /** Why it cannot compute, when spawn is null. */
  refuseCompute?: () => Result<never>;
  /** This machine's engine speed, for the refusal's time. */
  speed: () => Promise<SpeedModel>;
  /** How long a call waits for a new table before answering 'computing' (default 1.5 s: a small one is done by then). */
  answerWithinMs?: number;
}

const formatSeconds = (s: number): string =>
  s < 90 ? `${Math.max(1, Math.round(s))} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;

export class ConnectivityService {
  private readonly jobs = new Map<number, Job>();
  private closed = false;

  constructor(private readonly opts: ConnectivityOptions) {}

  async load(raw: unknown): Promise<Result<ConnectivityAnswer>> {
    if (this.closed) return fail('unavailable', 'the lab is closed');
    const parsed = connectivityRequestSchema.safeParse(raw);
    if (!parsed.success) return invalid('invalid connectivity request', parsed.error);
    const { probeId, norm } = parsed.data;
    const probe = this.opts.store.getProbe(probeId);
    if (!probe) return fail('not-found', `no probe ${probeId}`);
    if (probe.status !== 'done') return fail('conflict', `probe ${probeId} has not finished (it is ${probe.status})`);
    if (norm === 'dc' && probe.arch !== 'lstm')
      return fail(
        'invalid-argument',
        `dc (the cell state's gradient) exists only for the LSTM; probe ${probeId} is an ${probe.arch.toUpperCase()}`,
        [{ path: 'norm', message: 'dc exists only for the LSTM' }],
      );

    const stored = this.readStored(probeId, norm);
    if (stored) return stored;

    const job = this.jobs.get(probeId);
    if (job?.error) {
      this.jobs.delete(probeId);
      return fail('internal', `the connectivity table of probe ${probeId} could not be computed: ${job.error}`);
    }
    if (job) return ok(this.progress(job));

    const config = JSON.parse(probe.config_json) as ProbeConfig;
    const lossSteps = connectivitySteps(config.T);
    const cost = lossTableCostTerms(config, lossSteps);
    if (config.T > CONNECTIVITY_MAX_T) {
      const m = await this.opts.speed();
      const seconds = m.perWork * cost.work + m.perStep * cost.steps;
      const message =
        `T = ${config.T}: the connectivity table is computed for T up to ${CONNECTIVITY_MAX_T} (it is O(T²)); ` +
        `this one would take ${cost.steps.toLocaleString('en-US')} backward steps, about ${formatSeconds(seconds)} on this machine`;
      return fail('invalid-argument', message, [{ path: 'T', message }]);
    }
    if (!this.opts.spawn) return this.opts.refuseCompute?.() ?? fail('read-only', 'this lab cannot compute connectivity tables');

    const started = this.start(probeId, config, lossSteps, this.opts.spawn);
    await Promise.race([started.finished, new Promise((r) => setTimeout(r, this.opts.answerWithinMs ?? ANSWER_WITHIN_MS))]);
    return this.load(raw);
  }

  /** Stops every computation (their tables are not stored). */
  close(): void {
    this.closed = true;
    for (const job of this.jobs.values()) job.run?.kill();
    this.jobs.clear();
  }

  private readStored(probeId: number, norm: NormName): Result<ConnectivityAnswer> | null {
    const { stored, computed } = this.opts.tables.read(probeId, norm);
    if (!stored) return computed ? fail('not-found', `probe ${probeId}'s connectivity table has no ${norm}`) : null;
    const p = this.opts.store.getProbe(probeId)!;
    const table: ConnectivityTable = {
      probeId,
      sweepId: p.sweep_id,
      arch: p.arch,
      T: p.T,
      forgetBias: p.forget_bias,
      seed: p.seed,
      norm,
      steps: stored.steps,
      // JSON has no -Infinity or NaN: an exact 0 is null, and so is a cell with k > t (never drawn).
      log10: Array.from(stored.values, (v) => (Number.isFinite(v) ? v : null)),
      seconds: stored.seconds,
      computedAt: stored.computedAt,
    };
    return ok({ status: 'ready', table });
  }

  private progress(job: Job): ConnectivityAnswer {
    const elapsed = (performance.now() - job.startedAt) / 1000;
    // Rows cost their length: the rate so far, in backward steps, predicts the rest.
    const eta = job.doneSteps > 0 ? (elapsed / job.doneSteps) * (job.totalSteps - job.doneSteps) : null;
    return { status: 'computing', probeId: job.probeId, done: job.doneSteps, total: job.totalSteps, etaSeconds: eta };
  }

  private start(probeId: number, config: ProbeConfig, lossSteps: number[], spawn: WorkerSpawner): Job {
    const stepsBefore: number[] = [0];
    for (const t of lossSteps) stepsBefore.push(stepsBefore[stepsBefore.length - 1] + t + 1);
    const job: Job = {
      probeId,
      totalSteps: stepsBefore[stepsBefore.length - 1],
      doneSteps: 0,
      startedAt: performance.now(),
      error: null,
      finished: Promise.resolve(),
      run: null,
    };
    const run = startLossTableJob(spawn, config, lossSteps, (rows) => (job.doneSteps = stepsBefore[rows]));
    job.run = run;
    job.finished = run.finished.then((r) => {
      job.run = null;
      if (!r.ok) {
        job.error = r.message;
        return;
      }
      try {
        if (!this.closed) this.store(probeId, lossSteps, r.rows);
        this.jobs.delete(probeId);
      } catch (err) {
        job.error = err instanceof Error ? err.message : String(err);
      }
    });
    this.jobs.set(probeId, job);
    return job;
  }

  /** The rows as (n x n) grids per norm: row i = loss step lossSteps[i], column j = step lossSteps[j]. */
  private store(probeId: number, lossSteps: readonly number[], table: LossTableRows): void {
    const n = lossSteps.length;
    const norms: Partial<Record<NormName, Float64Array>> = {};
    for (const name of ['dh', 'dc', 'dWx', 'dWh', 'db'] as const) {
      if (!table.rows.every((r) => r[name])) continue;
      const grid = new Float64Array(n * n).fill(NaN);
      table.rows.forEach((row, i) => {
        const values = row[name]!;
        for (let j = 0; j <= i; j++) grid[i * n + j] = values[lossSteps[j]];
      });
      norms[name] = grid;
    }
    this.opts.tables.write(probeId, { steps: lossSteps, norms, seconds: table.seconds });
  }
}

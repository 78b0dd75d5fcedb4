// Two figures `npm run bench` prints beside the engine's (scripts/bench/bench.ts):
//  - the standard sweep as a user runs it, `seqlab sweep` (the default spec, every core's worker),
//    timed from the command's start to its exit (node's start-up, module load, the lab file,
//    worker start-up, every probe stored), against numpy's whole script doing the same 40 curves
//    (numpy_baseline.py --whole: python's start-up, importing numpy, the draws, one pass);
//  - a checkpointed trace (recomputed segment by segment in the backward pass) against the
//    stored one, on one probe where both fit.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildInputs, runProbe, withDefaults } from '../../src/engine/index';
import { dimsOf } from '../../src/engine/forward';
import { checkpointSegment } from '../../src/engine/tracePlan';
import { DEFAULT_SWEEP_SPEC } from '../../src/contract/sweepSpec';

const ROOT = resolve(import.meta.dirname, '..', '..');
const RUNS = 3;

/** Wall seconds of one run of a command (after `before`), or why it failed. */
function timeOnce(command: string, args: string[], before: () => void): { seconds: number } | { skipped: string } {
  before();
  const t0 = performance.now();
  const res = spawnSync(command, args, {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  const seconds = (performance.now() - t0) / 1000;
  if (res.error) return { skipped: `${command}: ${res.error.message}` };
  if (res.status !== 0)
    return { skipped: `${command} exited with ${res.status}: ${(res.stderr || '').trim().split('\n').pop()}` };
  return { seconds };
}

type Timed = { seconds: number } | { skipped: string };

/**
 * The fastest of RUNS runs of each command, taken in turn (first, second, first, ...), so that
 * the machine's drift (its speed moves by 15-20% within a minute here) falls on both.
 */
function timeInTurn(first: () => Timed, second: () => Timed): [Timed, Timed] {
  const best: [Timed, Timed] = [{ seconds: Infinity }, { seconds: Infinity }];
  for (let i = 0; i < RUNS; i++) {
    [first, second].forEach((run, side) => {
      const was = best[side];
      if ('skipped' in was) return;
      const now = run();
      best[side] = 'skipped' in now ? now : { seconds: Math.min(was.seconds, now.seconds) };
    });
  }
  return best;
}

export interface WholeCommandFigure {
  workload: 'standard-sweep-whole-command';
  seqlab_seconds: number;
  numpy_seconds: number | null;
  ratio_vs_numpy: number | null;
  runs: number;
  note: string;
}

export function wholeCommandBench(): WholeCommandFigure | { skipped: string } {
  const cli = join(ROOT, 'bin', 'seqlab.js');
  if (!existsSync(join(ROOT, 'out', 'main', 'cli.js'))) return { skipped: 'the CLI is not built (npm run build)' };
  const dir = mkdtempSync(join(tmpdir(), 'seqlab-whole-'));
  try {
    const spec = join(dir, 'standard.json');
    writeFileSync(spec, JSON.stringify(DEFAULT_SWEEP_SPEC));
    const db = join(dir, 'lab.sqlite');
    // A fresh lab file each run: a rerun would resume the finished sweep and run nothing.
    const fresh = () => {
      for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    };
    const [seqlab, numpy] = timeInTurn(
      () => timeOnce(process.execPath, [cli, 'sweep', spec, '--db', db], fresh),
      () => timeOnce('python3', [join(import.meta.dirname, 'numpy_baseline.py'), '--whole'], () => {}),
    );
    if ('skipped' in seqlab) return seqlab;
    const numpySeconds = 'seconds' in numpy ? numpy.seconds : null;
    return {
      workload: 'standard-sweep-whole-command',
      seqlab_seconds: round(seqlab.seconds),
      numpy_seconds: numpySeconds === null ? null : round(numpySeconds),
      ratio_vs_numpy: numpySeconds === null ? null : round(numpySeconds / seqlab.seconds, 3),
      runs: RUNS,
      note:
        'seqlab sweep of the default spec (24 probes: the RNN once per T), every core a worker, all five norms; ' +
        'numpy_baseline.py --whole (40 probes, dh only); each the fastest of its runs, taken in turn, start to exit' +
        ('skipped' in numpy ? `; numpy skipped: ${numpy.skipped}` : ''),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface CheckpointFigure {
  workload: 'checkpointed-trace';
  arch: 'lstm';
  T: number;
  N: number;
  H: number;
  segment: number;
  stored_seconds: number;
  checkpointed_seconds: number;
  ratio: number;
}

/**
 * One LSTM probe whose stored trace fits (235 MB), stored and checkpointed every ~sqrt(T) steps,
 * the best of five runs each, alternating (so that the machine's drift falls on both alike).
 */
export function checkpointBench(): CheckpointFigure {
  const config = withDefaults({ arch: 'lstm', T: 4096, N: 16, D: 16, H: 64, seed: 1, forgetBias: 1 });
  const inputs = buildInputs(config, config.lossStep);
  const segment = checkpointSegment(dimsOf('lstm', config.T, config.N, config.D, config.H));
  const time = (options: { checkpointSegment?: number }): number => {
    const t0 = performance.now();
    const r = runProbe(config, { inputs, ...options });
    if (r.checkpointed !== (options.checkpointSegment !== undefined)) throw new Error('checkpointBench: not the trace asked for');
    return (performance.now() - t0) / 1000;
  };
  let stored = Infinity;
  let checkpointed = Infinity;
  for (let i = 0; i < 5; i++) {
    stored = Math.min(stored, time({}));
    checkpointed = Math.min(checkpointed, time({ checkpointSegment: segment }));
  }
  return {
    workload: 'checkpointed-trace',
    arch: 'lstm',
    T: config.T,
    N: config.N,
    H: config.H,
    segment,
    stored_seconds: round(stored),
    checkpointed_seconds: round(checkpointed),
    ratio: round(checkpointed / stored, 3),
  };
}

function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

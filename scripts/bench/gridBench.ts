// `npm run bench -- --grid`: one probe per point of arch x H x N (D = 16), the engine on one
// thread asking for dh only against numpy by hand doing the same (scripts/bench/numpy_baseline.py
// --grid-point, at the same T; each side the best of two runs, taken in turn), the engine's all-norms
// time beside it, and this machine's float64 peak (numpy dgemm n=2048, one thread) measured in
// the same run. T per point: what numpy does in about GRID_TARGET_SECONDS, at most what its
// stored trace's memory allows, and 16384 for H <= 64 where numpy does that within twice the
// target. Prints a table, or one JSON line per point with --json (the peak first). Whether the
// sweep form's estimates are right at these points is `--estimates` (./estimateBench.ts).
//
//   --grid-quick          a few small points only (development; the full grid is for a quiet machine)
//   --only lstm:64:16     only these points (arch:H:N, comma-separated)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildInputs, runProbe, withDefaults, type Arch, type ProbeConfig } from '../../src/engine/index';
import { gateWidth } from '../../src/engine/probeConfig';
import { sweepProbeNeeds, sweepProbeOptions } from '../../src/engine/probeCost';
import { DEFAULT_MAX_PROBE_BYTES } from '../../src/engine/probeLimits';
import { ridesCarryShape } from '../../src/engine/spectralRider';
import { probeArenaDoubles } from '../../src/engine/tracePlan';
import { Workspace, kernelsInUse } from '../../src/engine/workspace';

export interface GridPoint {
  arch: Arch;
  H: number;
  N: number;
}

export const GRID_ARCHS: readonly Arch[] = ['rnn', 'lstm'];
export const GRID_H = [16, 64, 256, 512, 1024] as const;
export const GRID_N = [1, 16, 128, 256] as const;
const GRID_D = 16;
/** numpy's seconds per point the T is chosen for. */
const GRID_TARGET_SECONDS = 1.5;
/** T is 16384 for H <= 64 where numpy does it within twice the target and its trace fits. */
const preferredT = (H: number): number | null => (H <= 64 ? 16_384 : null);
/**
 * Timed runs per point, numpy's and the engine's (each norms choice) alternating, the fastest of
 * each side counting: best of two against best of two, in turn, so that the machine's drift (its
 * speed moves by 15-20% within a minute here) falls on both sides. The second round only if the
 * engine's first two runs took less than REPEAT_BELOW_SECONDS.
 */
const RUNS = 2;
const REPEAT_BELOW_SECONDS = 4;
/** What numpy's stored forward pass may take per point (the machine is shared). */
const NUMPY_TRACE_BYTES = 2 * 1024 ** 3;
const QUICK: GridPoint[] = [
  { arch: 'rnn', H: 16, N: 1 },
  { arch: 'lstm', H: 16, N: 16 },
  { arch: 'lstm', H: 64, N: 16 },
];

export function gridPoints(argv: readonly string[]): GridPoint[] {
  const only = argv.find((a, i) => argv[i - 1] === '--only');
  if (only) return only.split(',').map(parsePoint);
  if (argv.includes('--grid-quick')) return QUICK;
  return GRID_ARCHS.flatMap((arch) => GRID_H.flatMap((H) => GRID_N.map((N) => ({ arch, H, N }))));
}

function parsePoint(text: string): GridPoint {
  const [arch, H, N] = text.split(':');
  const point = { arch: arch as Arch, H: Number(H), N: Number(N) };
  if (!['rnn', 'lstm', 'gru'].includes(arch) || !(point.H >= 1) || !(point.N >= 1) || text.split(':').length !== 3)
    throw new Error(`--only: a point is arch:H:N (e.g. lstm:64:16), got ${JSON.stringify(text)}`);
  return point;
}

/** Bytes numpy_baseline.py's forward pass keeps per step (x, and what backprop reads). */
function numpyBytesPerStep(p: GridPoint): number {
  const kept = p.arch === 'lstm' ? 6 * p.H : p.H;
  return p.N * (GRID_D + kept) * 8;
}

/**
 * The flops of a dh-only probe's matrix products: per row and step the forward (D + H) G and
 * the backward carry H G multiply-adds, and once the upper triangle of the H x H Gram matrix
 * Wh Wh^T (H (H + 1) / 2 dot products of G) that sigma_max(Wh) starts from (theory.ts), whose
 * time the probe's time includes, unless its Lanczos products ride on the carry instead
 * (spectralRider.ts), which counts nothing more.
 */
function matmulFlops(c: ProbeConfig): number {
  const G = gateWidth(c.arch, c.H);
  const rides = ridesCarryShape({ arch: c.arch, N: c.N, H: c.H, G, lossStep: c.lossStep });
  return 2 * c.T * c.N * (c.D + 2 * c.H) * G + (rides ? 0 : c.H * (c.H + 1) * G);
}

function python(args: string[]): Record<string, number | string> | { skipped: string } {
  const res = spawnSync('python3', [join(import.meta.dirname, 'numpy_baseline.py'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (res.error && 'code' in res.error && res.error.code === 'ENOENT') return { skipped: 'python3 is not on PATH' };
  if (res.status !== 0) return { skipped: `numpy baseline failed: ${(res.stderr || '').trim().split('\n').pop()}` };
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

function seconds(run: () => void): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1000;
}

const round = (v: number, digits = 4): number => Math.round(v * 10 ** digits) / 10 ** digits;

export async function gridBench(argv: readonly string[]): Promise<void> {
  const json = argv.includes('--json');
  const points = gridPoints(argv);
  const peak = python(['--peak']);
  if ('skipped' in peak) {
    console.error(`bench --grid: ${peak.skipped}; the grid compares with numpy and needs it`);
    process.exitCode = 1;
    return;
  }
  const peakGflops = Number(peak.gflops);
  const kernels = kernelsInUse();
  if (json) console.log(JSON.stringify({ workload: 'dgemm-peak', ...peak, kernels }));
  else {
    console.log(`SeqLab size grid: one probe per point, D=${GRID_D}, the engine on one thread (${kernels})`);
    console.log(`  float64 peak here: numpy dgemm n=2048, one thread: ${peakGflops} GFLOP/s`);
    console.log('  point            T     numpy s  engine dh s  ratio  matmul GFLOP/s (of peak)  engine all norms s');
  }
  for (const p of points) {
    const maxT = Math.min(1_000_000, Math.max(1, Math.floor(NUMPY_TRACE_BYTES / numpyBytesPerStep(p))));
    const prefer = preferredT(p.H);
    const point = ['--grid-point', p.arch, String(p.N), String(GRID_D), String(p.H)];
    const numpyRun = (args: string[]): Record<string, number | string> => {
      const run = python([...point, ...args]);
      if ('skipped' in run) throw new Error(`${p.arch}:${p.H}:${p.N}: ${run.skipped}`);
      return run;
    };
    // The first numpy run also chooses T.
    const chosen = numpyRun([
      '--target',
      String(GRID_TARGET_SECONDS),
      '--max-T',
      String(maxT),
      ...(prefer ? ['--prefer-T', String(prefer)] : []),
    ]);
    const config = withDefaults({ arch: p.arch, T: Number(chosen.T), N: p.N, D: GRID_D, H: p.H, seed: 1, forgetBias: 1 });
    // As numpy's, the inputs are drawn before timing; and the engine's workspace is grown and
    // written once, as a sweep worker's is after its first probe of this size (numpy allocates its
    // trace in its timing, from memory its process has just freed, the inputs' draws').
    const inputs = buildInputs(config, config.lossStep);
    Workspace.ready(probeArenaDoubles(config, sweepProbeNeeds(p.arch), DEFAULT_MAX_PROBE_BYTES));
    // Warm-up (the JIT and the kernels), then numpy and the engine in turn, twice (once where the
    // engine's first runs took long: the grid stays within its 10 minutes).
    const warm = withDefaults({ ...config, T: Math.min(config.T, 64), lossStep: undefined });
    runProbe(warm, sweepProbeOptions(p.arch, 0, ['dh']));
    runProbe(warm, sweepProbeOptions(p.arch));
    let numpySeconds = Number(chosen.seconds);
    let dh = Infinity;
    let all = Infinity;
    for (let rep = 0; rep < RUNS; rep++) {
      if (rep > 0) numpySeconds = Math.min(numpySeconds, Number(numpyRun(['--T', String(config.T)]).seconds));
      dh = Math.min(
        dh,
        seconds(() => runProbe(config, { ...sweepProbeOptions(p.arch, 0, ['dh']), inputs })),
      );
      all = Math.min(
        all,
        seconds(() => runProbe(config, { ...sweepProbeOptions(p.arch), inputs })),
      );
      if (dh + all > REPEAT_BELOW_SECONDS) break;
    }
    const gflops = matmulFlops(config) / dh / 1e9;
    const line = {
      workload: 'grid-point',
      arch: p.arch,
      T: config.T,
      N: p.N,
      D: GRID_D,
      H: p.H,
      seconds: round(dh),
      numpy_seconds: numpySeconds,
      ratio_vs_numpy: round(numpySeconds / dh, 3),
      matmul_gflops: round(gflops, 2),
      fraction_of_peak: round(gflops / peakGflops, 3),
      all_norms_seconds: round(all),
      norms: 'engine: dh only (and all five beside it); numpy: dh only',
      matmul_note:
        "the dh-only probe's matrix-product flops (its steps', and the Gram matrix of sigma_max(Wh)) over its whole time",
    };
    if (json) console.log(JSON.stringify(line));
    else
      console.log(
        `  ${`${p.arch}:${p.H}:${p.N}`.padEnd(14)} ${String(config.T).padStart(7)}  ${line.numpy_seconds.toFixed(3).padStart(7)}  ` +
          `${line.seconds.toFixed(3).padStart(11)}  ${line.ratio_vs_numpy.toFixed(2).padStart(5)}  ` +
          `${line.matmul_gflops.toFixed(1).padStart(8)} (${(100 * line.fraction_of_peak).toFixed(0).padStart(3)}%)         ` +
          `${line.all_norms_seconds.toFixed(3).padStart(10)}`,
      );
  }
}

// `npm run bench`: the standard sweep through SeqLab's engine (one process, one thread) and
// through the full runner, each next to numpy by hand (scripts/bench/numpy_baseline.py, the same
// probes) measured in the same command. Prints a human summary, or one JSON line per workload
// with --json; then the whole `seqlab sweep` command against numpy's whole script, and a
// checkpointed trace against a stored one (./wholeCommandBench.ts). Without python3 or numpy the
// comparison is skipped, said in one line, and the engine's figures are still printed (exit 0).
// Last, a sweep of one probe on one worker and on two, whose idle core its products then use.
// With --grid, the size grid (./gridBench.ts); with --estimates, the form's estimates (./estimateBench.ts).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SpectralNormCache, buildInputs, runProbe, withDefaults, type ProbeConfig } from '../../src/engine/index';
import { probeBytes, formatBytes } from '../../src/engine/probeLimits';
import { kernelsInUse } from '../../src/engine/workspace';
import { enableRelaxedSimd } from '../../src/lab/runner/relaxedSimd';
import { idleCoresBench } from './idleCoresBench';
import { checkpointBench, wholeCommandBench } from './wholeCommandBench';

const json = process.argv.includes('--json');
const REPS = 3;

/** The numpy baseline's sweep: T x forget bias x arch, N=16, D=16, H=64, scaled init. */
export function standardSweep(): ProbeConfig[] {
  const configs: ProbeConfig[] = [];
  for (const T of [16, 64, 256, 1024]) {
    for (const forgetBias of [-2, 0, 1, 2, 4]) {
      for (const arch of ['rnn', 'lstm'] as const) {
        configs.push(withDefaults({ arch, T, N: 16, D: 16, H: 64, seed: 1000 * (arch === 'rnn' ? 0 : 1) + T, forgetBias }));
      }
    }
  }
  return configs;
}

interface NumpyFigure {
  seconds: number;
  configs_per_second: number;
  numpy: string;
}

function runNumpyBaseline(): NumpyFigure | { skipped: string } {
  const script = join(import.meta.dirname, 'numpy_baseline.py');
  const res = spawnSync('python3', [script, String(REPS)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
  });
  if (res.error && 'code' in res.error && res.error.code === 'ENOENT') {
    return { skipped: 'python3 is not on PATH (the numpy baseline needs python3 with numpy)' };
  }
  // The script says "numpy is not installed for ..." itself when it is missing.
  if (res.status !== 0)
    return { skipped: `numpy baseline failed: ${(res.stderr || res.error?.message || '').trim().split('\n').pop()}` };
  return JSON.parse(res.stdout.trim().split('\n').pop()!);
}

function bestOf<T>(reps: number, run: () => T): { seconds: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    value = run();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { seconds: best, value };
}

async function main(): Promise<void> {
  const configs = standardSweep();
  // As the baseline does, inputs are built before timing; a second figure includes drawing them.
  const inputs = configs.map((c) => buildInputs(c, c.lossStep));
  runProbe(configs[1], { inputs: inputs[1] }); // warm-up
  const numpyBefore = runNumpyBaseline();
  // numpy's figure is the best of its two runs of REPS passes bracketing the engine's: the
  // engine's is the best of as many passes (this machine's speed drifts by 20% within a minute).
  // Each pass is one sweep as a worker runs it: sigma_max(Wh) once per distinct Wh of the pass
  // (the forget biases of a T share one), none carried over from the pass before.
  const sweepPass = (withInputs: boolean) => {
    const spectralNorms = new SpectralNormCache();
    configs.forEach((c, i) => runProbe(c, withInputs ? { spectralNorms } : { inputs: inputs[i], spectralNorms }));
  };
  const engine = bestOf(2 * REPS, () => sweepPass(false));
  const withInputs = bestOf(1, () => sweepPass(true));
  const numpyAfter = runNumpyBaseline();
  const numpy = [numpyBefore, numpyAfter]
    .filter((n): n is NumpyFigure => 'seconds' in n)
    .sort((a, b) => a.seconds - b.seconds)[0];
  const ratio = numpy ? numpy.seconds / engine.seconds : null;
  const largest = configs.reduce((a, c) => (probeBytes(c) > probeBytes(a) ? c : a));
  // Which kernels the engine ran: native products (and which ISA), the wasm build (fused
  // relaxed-SIMD or plain SIMD) or JS; SEQLAB_KERNELS=native|wasm|js forces one.
  const kernels = kernelsInUse();
  const engineLine = {
    workload: 'standard-sweep-40',
    impl: 'seqlab-engine',
    kernels,
    configs: configs.length,
    seconds: round(engine.seconds),
    configs_per_second: round(configs.length / engine.seconds, 2),
    seconds_including_input_draws: round(withInputs.seconds),
    numpy_seconds: numpy ? numpy.seconds : null,
    numpy_configs_per_second: numpy ? numpy.configs_per_second : null,
    ratio_vs_numpy: ratio === null ? null : round(ratio, 3),
    numpy_note: numpy
      ? `numpy ${numpy.numpy}, best of 2 runs of ${REPS} passes bracketing the engine's ${2 * REPS}`
      : (numpyBefore as { skipped: string }).skipped,
    largest_probe_bytes: probeBytes(largest),
    norms_per_step: 'engine: dh, dWx, dWh, db (+dc for the LSTM); numpy baseline: dh only',
  };
  const { benchRunner } = await import('./benchRunner').catch(() => ({ benchRunner: null }));
  const withRatio = <F extends { seconds: number; first_sweep_seconds: number }>(f: F | null) =>
    f
      ? {
          ...f,
          numpy_seconds: numpy?.seconds ?? null,
          ratio_vs_numpy: numpy ? round(numpy.seconds / f.seconds, 3) : null,
          first_sweep_ratio_vs_numpy: numpy ? round(numpy.seconds / f.first_sweep_seconds, 3) : null,
        }
      : null;
  const runnerLine = withRatio(benchRunner ? await benchRunner() : null);
  // The same 40 curves the way a SeqLab sweep computes them: the RNN once per T.
  const specLine = withRatio(benchRunner ? await benchRunner({ rnnOncePerT: true }) : null);
  const whole = wholeCommandBench();
  const checkpoint = checkpointBench();
  const idleCores = await idleCoresBench();

  if (json) {
    if (!numpy) console.error(`bench: numpy comparison skipped: ${engineLine.numpy_note}`);
    console.log(JSON.stringify(engineLine));
    if (runnerLine) console.log(JSON.stringify(runnerLine));
    if (specLine) console.log(JSON.stringify(specLine));
    if ('skipped' in whole) console.error(`bench: whole-command comparison skipped: ${whole.skipped}`);
    else console.log(JSON.stringify(whole));
    console.log(JSON.stringify(checkpoint));
    for (const line of idleCores) console.log(JSON.stringify(line));
    return;
  }
  console.log('SeqLab benchmark: standard sweep, T in {16,64,256,1024} x bias {-2,0,1,2,4} x {rnn,lstm}, N=16 D=16 H=64');
  console.log(`  engine, one thread:     ${engine.seconds.toFixed(3)} s  (${engineLine.configs_per_second} configs/s)`);
  console.log(`    including input draws: ${withInputs.seconds.toFixed(3)} s`);
  console.log(`    kernels:              ${kernels}`);
  if (numpy) console.log(`  numpy by hand:          ${numpy.seconds.toFixed(3)} s  (${numpy.configs_per_second} configs/s)`);
  else console.log(`  numpy by hand:          skipped (${engineLine.numpy_note})`);
  if (ratio !== null) console.log(`  engine / numpy speed:   ${ratio.toFixed(2)}x`);
  if (runnerLine) {
    const r = runnerLine;
    console.log(
      `  full runner (${r.workers} workers + SQLite), 40 probes: ${r.seconds.toFixed(3)} s  (${r.configs_per_second} configs/s)` +
        (r.ratio_vs_numpy ? `  ${r.ratio_vs_numpy.toFixed(2)}x numpy` : ''),
    );
    console.log(
      `    best of ${r.sweeps} sweeps through one pool; the first, on fresh workers: ${r.first_sweep_seconds.toFixed(3)} s` +
        (r.first_sweep_ratio_vs_numpy ? `  ${r.first_sweep_ratio_vs_numpy.toFixed(2)}x numpy` : ''),
    );
  }
  if (specLine) {
    const r = specLine as { seconds: number; probes: number; ratio_vs_numpy: number | null };
    console.log(
      `  full runner, RNN once per T (${r.probes} probes, same 40 curves): ${r.seconds.toFixed(3)} s` +
        (r.ratio_vs_numpy ? `  ${r.ratio_vs_numpy.toFixed(2)}x numpy` : ''),
    );
  }
  if ('skipped' in whole) console.log(`  whole \`seqlab sweep\` command: skipped (${whole.skipped})`);
  else
    console.log(
      `  whole \`seqlab sweep\` command (start to exit, best of ${whole.runs}): ${whole.seqlab_seconds.toFixed(3)} s` +
        (whole.numpy_seconds !== null
          ? `; numpy's whole script ${whole.numpy_seconds.toFixed(3)} s: ${whole.ratio_vs_numpy!.toFixed(2)}x`
          : ''),
    );
  console.log(
    `  checkpointed trace (LSTM T=${checkpoint.T} N=${checkpoint.N} H=${checkpoint.H}, segments of ${checkpoint.segment}): ` +
      `${checkpoint.checkpointed_seconds.toFixed(3)} s against ${checkpoint.stored_seconds.toFixed(3)} s stored: ${checkpoint.ratio.toFixed(2)}x`,
  );
  console.log(`  largest probe in the sweep (LSTM T=1024): ${formatBytes(engineLine.largest_probe_bytes)}`);
  for (const l of idleCores)
    console.log(
      `  a sweep of one probe (${l.probe}): 1 worker ${l.one_worker_seconds.toFixed(3)} s, ` +
        `2 workers (its products on both cores) ${l.two_workers_seconds.toFixed(3)} s: ${l.speedup.toFixed(2)}x`,
    );
}

function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

// Before the first probe compiles the kernels; forked workers then get the flag too.
enableRelaxedSimd();
// --estimates (--only arch:H:N,...): the sweep form's estimates against the sweeps' times
// (scripts/bench/estimateBench.ts); --grid (--grid-quick, --only arch:H:N,...): the size grid
// instead (scripts/bench/gridBench.ts).
if (process.argv.includes('--estimates')) {
  const { estimateBench } = await import('./estimateBench');
  await estimateBench(process.argv.slice(2));
} else if (['--grid', '--grid-quick', '--only'].some((f) => process.argv.includes(f))) {
  const { gridBench } = await import('./gridBench');
  await gridBench(process.argv.slice(2));
} else {
  await main();
}

// The sweep worker process: runs the probes of each batch it is sent, one at a time, and streams
// every finished probe back. Runs as a child_process.fork child or an Electron utility process.
import { SpectralNormCache, modelInputs, runProbe } from '../engine/index';
import type { ProbeTask } from './workerProtocol';
import { parentChannel } from './workerChannel';
import { exitWhenParentDies } from './parentWatchdog';
import { applyTestHook } from './testHook';
import { sweepProbeOptions, timeCalibrationProbes, timeSamples } from '../engine/probeCost';
import { runLossTable } from './lossTableTask';

/** Runs of each calibration probe: the fastest of the last four counts (about 40 ms in all). */
const CALIBRATION_RUNS = 5;

const channel = parentChannel();
exitWhenParentDies();
const pending: ProbeTask[] = [];
let busy = false;
/** sigma_max(Wh) of the weights this worker's probes have met (a sweep's forget biases share Wh). */
const spectralNorms = new SpectralNormCache();

// Ctrl-C in a terminal reaches the whole process group: the parent decides when workers stop.
process.on('SIGINT', () => {});

function runOne(task: ProbeTask): void {
  channel.send({ type: 'started', probeId: task.probeId });
  const t0 = performance.now();
  try {
    // Only in the test build: the shipped build defines the constant false and drops the hook.
    if (__SEQLAB_TEST_HOOKS__) applyTestHook(task.config);
    if (task.modelError !== undefined) throw new Error(task.modelError);
    const r = runProbe(task.config, {
      ...sweepProbeOptions(task.config.arch, task.lyapunovVectors, task.norms),
      maxBytes: task.maxBytes,
      threads: task.threads,
      spectralNorms,
      ...(task.model ? { inputs: modelInputs(task.config, task.model) } : {}),
    });
    const s = r.lossStepNorms;
    const L = r.lyapunov;
    channel.send({
      type: 'done',
      probeId: task.probeId,
      outcome: {
        steps: r.config.lossStep + 1,
        norms: s,
        theory: { whSpectralNorm: r.theory.whSpectralNorm, meanSlope: r.theory.meanSlope },
        rates: {
          lyapunov: L ? { top: L.top, spectrum: Float64Array.from(L.spectrum) } : null,
          ...r.theory.rates,
        },
        seconds: (performance.now() - t0) / 1000,
      },
    });
  } catch (err) {
    channel.send({ type: 'error', probeId: task.probeId, message: err instanceof Error ? err.message : String(err) });
  }
}

// One probe per macrotask, so 'skip' messages are seen between probes.
function pump(): void {
  if (busy) return;
  const task = pending.shift();
  if (!task) return;
  busy = true;
  runOne(task);
  setImmediate(() => {
    busy = false;
    pump();
  });
}

channel.onMessage((msg) => {
  if (msg.type === 'run') {
    pending.push(...msg.tasks);
    pump();
  } else if (msg.type === 'skip') {
    const drop = new Set(msg.probeIds);
    const skipped = pending.filter((t) => drop.has(t.probeId)).map((t) => t.probeId);
    for (let i = pending.length - 1; i >= 0; i--) if (drop.has(pending[i].probeId)) pending.splice(i, 1);
    channel.send({ type: 'skipped', probeIds: skipped });
  } else if (msg.type === 'lossTable') {
    runLossTable(msg.task, (m) => channel.send(m));
  } else if (msg.type === 'calibrate') {
    channel.send({ type: 'speed', speed: timeCalibrationProbes(CALIBRATION_RUNS) });
  } else if (msg.type === 'timeSamples') {
    try {
      channel.send({ type: 'sampleTimes', requestId: msg.requestId, seconds: timeSamples(msg.samples) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      channel.send({ type: 'sampleTimes', requestId: msg.requestId, seconds: null, message });
    }
  } else if (msg.type === 'shutdown') {
    process.exit(0);
  }
});

// A fresh process runs its first probes in V8's baseline tiers; two small probes before 'ready'
// (~20 ms) get the engine's JavaScript and WebAssembly optimized before real work arrives.
function warmUp(): void {
  for (const arch of ['lstm', 'rnn'] as const) {
    runProbe({ arch, T: 48, N: 16, D: 16, H: 64, seed: 1 }, sweepProbeOptions(arch));
  }
}

warmUp();
channel.send({ type: 'ready', pid: process.pid });

import { buildInputs, withDefaults } from '../src/engine/index';
import { dimsOf, forwardDoubles, runForward } from '../src/engine/forward';
import { backwardDoubles, backwardFromLossStep } from '../src/engine/backward';
import { probeTheory, theoryDoubles } from '../src/engine/theory';
import { Workspace } from '../src/engine/workspace';
for (const arch of ['lstm', 'rnn'] as const) {
  const c = withDefaults({ arch, T: 1024, N: 16, D: 16, H: 64, seed: 1, forgetBias: 1 });
  const inp = buildInputs(c, c.lossStep);
  const d = dimsOf(c.arch, c.T, c.N, c.D, c.H);
  const best = [Infinity, Infinity, Infinity];
  for (let r = 0; r < 15; r++) {
    const ws = Workspace.create(forwardDoubles(d) + backwardDoubles(d) + theoryDoubles(d));
    let t0 = performance.now();
    const tr = runForward(d, inp, ws, undefined, c.lossStep);
    let t1 = performance.now();
    const scratch = ws.take(backwardDoubles(d));
    backwardFromLossStep(tr, c.lossStep, Workspace.within(ws, scratch));
    let t2 = performance.now();
    probeTheory(tr, ws);
    let t3 = performance.now();
    best[0] = Math.min(best[0], t1 - t0); best[1] = Math.min(best[1], t2 - t1); best[2] = Math.min(best[2], t3 - t2);
  }
  console.log(arch, 'fwd', best[0].toFixed(1), 'bwd', best[1].toFixed(1), 'theory', best[2].toFixed(1), 'lossStep', c.lossStep);
}

import { buildInputs, runProbe, withDefaults } from '../src/engine/index';
const arch = (process.argv[2] ?? 'lstm') as 'lstm' | 'rnn';
const reps = Number(process.argv[3] ?? 20);
const c = withDefaults({ arch, T: 1024, N: 16, D: 16, H: 64, seed: 1, forgetBias: 1 });
const inp = buildInputs(c, c.lossStep);
runProbe(c, { inputs: inp });
let best = Infinity;
for (let i = 0; i < reps; i++) { const t0 = performance.now(); runProbe(c, { inputs: inp }); best = Math.min(best, performance.now() - t0); }
console.log(arch, 'best ms', best.toFixed(2));

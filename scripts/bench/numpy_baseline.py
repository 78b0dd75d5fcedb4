"""numpy by hand: the baseline `npm run bench` (scripts/bench/bench.ts) compares SeqLab with.

The standard sweep, written the way a researcher would in a notebook: float64, one thread,
T in {16, 64, 256, 1024} x forget-gate bias in {-2, 0, 1, 2, 4} x {rnn, lstm} = 40 probes,
N=16, D=16, H=64. Inputs are SeqLab's "scaled" probes of bench.ts's standardSweep(), drawn the
same way (np.random.seed(seed); x, h0, Wx, Wh, b, dout = randn(...) in that order;
Wx /= sqrt(D), Wh /= sqrt(H), h0 = b = 0, the LSTM's b[H:2H] += bias), so both sides run the
same probes. For the loss at the last step, L = sum(dout[:, T-1, :] * h_{T-1}), it keeps the
forward pass and backprops through time, taking ||dL/dh_k|| at every step k: the one norm a
notebook would plot (SeqLab reports dWx, dWh, db and, for the LSTM, dc as well, so the
comparison is in numpy's favour). Inputs are built before timing; the figure is the best of
REPS passes over the sweep (default 3).

    python3 scripts/bench/numpy_baseline.py [REPS]     # prints one JSON line
    python3 scripts/bench/numpy_baseline.py --whole    # the sweep once, as a script: draws, then one pass

With --whole, the process is the figure (the caller times it from start to exit: the
interpreter's start-up, importing numpy, drawing every probe's inputs, one pass, no warm-up);
`npm run bench` compares it with a whole `seqlab sweep` command.

The size grid (`npm run bench -- --grid`, scripts/bench/gridBench.ts) runs one probe per point
the same way, through the same dh-norm functions:

    python3 scripts/bench/numpy_baseline.py --grid-point ARCH N D H (--T T | --target S --max-T M [--prefer-T P])
    python3 scripts/bench/numpy_baseline.py --peak      # float64 dgemm n=2048, GFLOP/s

With --target, T is chosen so the probe takes about S seconds here (timed on short runs first),
at most M (the memory the trace may take decides M), or P where that takes at most 2 S; each
prints one JSON line.

Compare ratios measured in one run on one machine, never absolute times across machines.
"""
import os

# One thread, as the engine runs: BLAS reads these when numpy is first imported.
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(var, '1')

import json
import math
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit(f'numpy is not installed for {sys.executable} (pip install numpy)')

# The standard sweep's sizes; the grid mode sets them per point (see set_sizes).
N, D, H = 16, 16, 64
SEQUENCE_LENGTHS = (16, 64, 256, 1024)
FORGET_BIASES = (-2.0, 0.0, 1.0, 2.0, 4.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def draw_probe(arch, T, forget_bias, seed=None):
    """The inputs of SeqLab's probe with this arch, T and bias (seed as in bench.ts)."""
    G = 4 * H if arch == 'lstm' else H
    np.random.seed((1000 if arch == 'lstm' else 0) + T if seed is None else seed)
    x = np.random.randn(N, T, D)
    h0 = np.random.randn(N, H) * 0.0
    Wx = np.random.randn(D, G) / np.sqrt(D)
    Wh = np.random.randn(H, G) / np.sqrt(H)
    b = np.random.randn(G) * 0.0
    dout = np.random.randn(N, T, H)
    if arch == 'lstm':
        b[H:2 * H] += forget_bias
    # Time-major x, so each step's batch is one contiguous (N, D) block.
    return dict(x=np.ascontiguousarray(x.transpose(1, 0, 2)), h0=h0, Wx=Wx, Wh=Wh, b=b, dout_last=dout[:, -1, :].copy())


def rnn_dh_norms(x, h0, Wx, Wh, b, dout_last):
    T = x.shape[0]
    hs = np.empty((T, N, H))
    h = h0
    for t in range(T):
        h = np.tanh(x[t] @ Wx + h @ Wh + b)
        hs[t] = h
    norms = np.empty(T)
    dh = dout_last
    for k in range(T - 1, -1, -1):
        norms[k] = np.linalg.norm(dh)
        if k > 0:
            dh = (dh * (1.0 - hs[k] * hs[k])) @ Wh.T
    return norms


def lstm_dh_norms(x, h0, Wx, Wh, b, dout_last):
    T = x.shape[0]
    # What backprop reads of each step: the gates i, f, o (sigmoid), g (tanh), c_t, tanh(c_t).
    ifo, gs, cells, tanh_cells = np.empty((T, N, 3 * H)), np.empty((T, N, H)), np.empty((T, N, H)), np.empty((T, N, H))
    h, c = h0, np.zeros((N, H))
    for t in range(T):
        a = x[t] @ Wx + h @ Wh + b
        s = sigmoid(a[:, :3 * H])
        i, f, o = s[:, :H], s[:, H:2 * H], s[:, 2 * H:]
        g = np.tanh(a[:, 3 * H:])
        c = f * c + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        ifo[t], gs[t], cells[t], tanh_cells[t] = s, g, c, tanh_c
    norms = np.empty(T)
    dh, dc = dout_last, np.zeros((N, H))
    for k in range(T - 1, -1, -1):
        norms[k] = np.linalg.norm(dh)
        if k == 0:
            break
        i, f, o = ifo[k, :, :H], ifo[k, :, H:2 * H], ifo[k, :, 2 * H:]
        g, tanh_c = gs[k], tanh_cells[k]
        dc = dc + dh * o * (1.0 - tanh_c * tanh_c)  # dL/dc_k, through h_k and c_{k+1}
        da = np.concatenate([dc * g * i * (1.0 - i),
                             dc * cells[k - 1] * f * (1.0 - f),
                             dh * tanh_c * o * (1.0 - o),
                             dc * i * (1.0 - g * g)], axis=1)
        dh = da @ Wh.T
        dc = dc * f
    return norms


DH_NORMS = {'rnn': rnn_dh_norms, 'lstm': lstm_dh_norms}


def set_sizes(n, d, h):
    global N, D, H
    N, D, H = n, d, h


def time_point(arch, T):
    """Seconds of one probe at this T (inputs drawn before timing, as in the sweep)."""
    inputs = draw_probe(arch, T, 1.0, seed=1)
    t0 = time.perf_counter()
    DH_NORMS[arch](**inputs)
    return time.perf_counter() - t0


def grid_point(args):
    """One grid point: --grid-point ARCH N D H, then --T T or --target SECONDS --max-T M."""
    arch, n, d, h = args[0], int(args[1]), int(args[2]), int(args[3])
    flags = dict(zip(args[4::2], args[5::2]))
    set_sizes(n, d, h)
    time_point(arch, 2)  # warm-up
    if '--T' in flags:
        T = int(flags['--T'])
    else:
        target, max_T = float(flags['--target']), int(flags['--max-T'])
        # Double a short run until it takes a tenth of the target, then scale to the target.
        T, seconds = 4, time_point(arch, 4)
        while seconds < target / 10 and T < max_T:
            T = min(2 * T, max_T)
            seconds = time_point(arch, T)
        per_step = max(seconds, 1e-9) / T
        T = max(1, min(max_T, int(target / per_step)))
        # A preferred T (16384 for H <= 64) when numpy does it within twice the target.
        prefer = int(flags.get('--prefer-T', 0))
        if 0 < prefer <= max_T and prefer * per_step <= 2 * target:
            T = prefer
    seconds = time_point(arch, T)
    print(json.dumps({'impl': 'numpy-by-hand', 'numpy': np.__version__, 'arch': arch, 'N': N, 'D': D, 'H': H, 'T': T,
                      'seconds': round(seconds, 4)}))


def peak():
    """This machine's float64 matrix-product rate on one thread: dgemm n=2048, best of 3."""
    n = 2048
    a, b = np.random.rand(n, n), np.random.rand(n, n)
    a @ b  # warm-up
    best = math.inf
    for _ in range(3):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({'impl': 'numpy-dgemm', 'numpy': np.__version__, 'n': n, 'seconds': round(best, 4),
                      'gflops': round(2 * n ** 3 / best / 1e9, 2)}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == '--grid-point':
        return grid_point(sys.argv[2:])
    if len(sys.argv) > 1 and sys.argv[1] == '--peak':
        return peak()
    whole = len(sys.argv) > 1 and sys.argv[1] == '--whole'
    reps = 1 if whole else int(sys.argv[1]) if len(sys.argv) > 1 else 3
    probes = [(arch, draw_probe(arch, T, bf))
              for T in SEQUENCE_LENGTHS for bf in FORGET_BIASES for arch in ('rnn', 'lstm')]
    if whole:
        for arch, inputs in probes:
            DH_NORMS[arch](**inputs)
        print(json.dumps({'workload': 'standard-sweep-40-whole-script', 'impl': 'numpy-by-hand', 'numpy': np.__version__,
                          'configs': len(probes)}))
        return
    DH_NORMS[probes[1][0]](**probes[1][1])  # warm-up
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        for arch, inputs in probes:
            DH_NORMS[arch](**inputs)
        best = min(best, time.perf_counter() - t0)
    print(json.dumps({'workload': 'standard-sweep-40', 'impl': 'numpy-by-hand', 'numpy': np.__version__,
                      'configs': len(probes), 'seconds': round(best, 4),
                      'configs_per_second': round(len(probes) / best, 2)}))


if __name__ == '__main__':
    main()

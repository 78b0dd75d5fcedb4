"""Reference values for SeqLab's exactness tests (src/engine/exactness.test.ts), in 50-digit
arithmetic, independently of SeqLab: inputs drawn with numpy's legacy np.random.seed + randn
(SeqLab's "scaled" init applied in float64), then the forward pass and backprop through time in
mpmath from those float64 inputs, so far below (or above) float64's range nothing underflows.

Each case reports, as base-10 logarithms (None for an exact 0): for the loss at the last step t,
every step's dh, dWx, dWh, db (and dc for the LSTM), as defined in ../README.md; and the full
gradients' norms (dWx, dWh, db, dh0, dx) for L = sum_t L_t.

    python3 make_exactness_cases.py > exactness_cases.json      (numpy 2.x, mpmath 1.3)
"""
import hashlib
import json
import sys

import mpmath as mp
import numpy as np

mp.mp.dps = 50

CASES = [
    # The Gram route squared tiny hidden states to 0 (issue 9).
    dict(name='rnn_tiny_h0', arch='rnn', T=3, N=1, D=3, H=2, seed=1, h0Scale=1e-170),
    dict(name='lstm_tiny_h', arch='lstm', T=30, N=1, D=1, H=1, seed=25, bScale=100),
    # Units saturated far beyond |a| = 400: tanh' and sigmoid' below 1e-308.
    dict(name='rnn_saturated', arch='rnn', T=10, N=1, D=1, H=1, seed=1, whGain=100, h0Scale=100, bScale=100),
    dict(name='rnn_saturated_batch', arch='rnn', T=12, N=2, D=2, H=3, seed=4, whGain=100, h0Scale=100, bScale=100),
    dict(name='lstm_saturated_gates', arch='lstm', T=8, N=2, D=2, H=2, seed=2, whGain=100, h0Scale=100, bScale=100),
    dict(name='lstm_saturated_gates_tiny_h', arch='lstm', T=8, N=2, D=2, H=2, seed=12, whGain=100, h0Scale=100, bScale=100),
    # A cell at |c| = 500 at the loss step, where tanh'(c) = 1e-434: the loss step's whole cell path.
    dict(name='lstm_large_cells', arch='lstm', T=500, N=1, D=1, H=1, seed=19, forgetBias=50, bScale=10),
]


def draw(c):
    """SeqLab's inputs: x, h0, Wx, Wh, b, dout from one numpy stream, then the scaled init."""
    N, T, D, H = c['N'], c['T'], c['D'], c['H']
    G = 4 * H if c['arch'] == 'lstm' else H
    np.random.seed(c['seed'])
    x = np.random.randn(N, T, D)
    h0 = np.random.randn(N, H)
    Wx = np.random.randn(D, G)
    Wh = np.random.randn(H, G)
    b = np.random.randn(G)
    dout = np.random.randn(N, T, H)
    Wx = Wx * (1 / np.sqrt(D))
    Wh = Wh * (c.get('whGain', 1.0) / np.sqrt(H))
    h0 = h0 * c.get('h0Scale', 0.0)
    b = b * c.get('bScale', 0.0)
    if c['arch'] == 'lstm':
        b[H:2 * H] += c.get('forgetBias', 0.0)
    sha = hashlib.sha256()
    for a in (x, h0, Wx, Wh, b, dout):
        sha.update(np.ascontiguousarray(a, dtype='<f8').tobytes())
    return x, h0, Wx, Wh, b, dout, sha.hexdigest()


def mpm(a):
    return [[mp.mpf(float(v)) for v in row] for row in np.atleast_2d(a)]


def matmul(A, B):
    return [[mp.fsum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))] for i in range(len(A))]


def transpose(A):
    return [list(r) for r in zip(*A)]


def fro(A):
    s = mp.fsum(v * v for row in A for v in row)
    return None if s == 0 else float(mp.log10(mp.sqrt(s)))


def sigmoid(a):
    return 1 / (1 + mp.exp(-a))


def dsigmoid(a):
    e = mp.exp(-abs(a))
    return e / (1 + e) ** 2


def dtanh(a):
    return mp.sech(a) ** 2


def run(c):
    x, h0, Wx, Wh, b, dout, sha = draw(c)
    N, T, D, H = c['N'], c['T'], c['D'], c['H']
    lstm = c['arch'] == 'lstm'
    G = 4 * H if lstm else H
    X = [mpm(x[:, t, :]) for t in range(T)]
    DOUT = [mpm(dout[:, t, :]) for t in range(T)]
    WX, WH, B = mpm(Wx), mpm(Wh), [mp.mpf(float(v)) for v in b]
    WXT, WHT = transpose(WX), transpose(WH)
    hs = [mpm(h0)]  # hs[t + 1] = h_t
    steps = []  # per step what backprop reads
    cell = [[mp.mpf(0)] * H for _ in range(N)]
    for t in range(T):
        A = matmul(X[t], WX)
        R = matmul(hs[-1], WH)
        A = [[A[n][j] + R[n][j] + B[j] for j in range(G)] for n in range(N)]
        if not lstm:
            hs.append([[mp.tanh(v) for v in row] for row in A])
            steps.append(dict(slope=[[dtanh(v) for v in row] for row in A]))
            continue
        h, cnew, s = [], [], dict(a=A, cprev=cell)
        for n in range(N):
            hr, cr = [], []
            for j in range(H):
                i, f, o, g = sigmoid(A[n][j]), sigmoid(A[n][H + j]), sigmoid(A[n][2 * H + j]), mp.tanh(A[n][3 * H + j])
                cc = f * cell[n][j] + i * g
                cr.append(cc)
                hr.append(o * mp.tanh(cc))
            h.append(hr)
            cnew.append(cr)
        s['c'] = cnew
        cell = cnew
        hs.append(h)
        steps.append(s)

    def cell_backward(t, dh, dcf):
        """da_t (N x G) and dct (N x H) from dh_t and the cell path from t+1."""
        if not lstm:
            return [[dh[n][j] * steps[t]['slope'][n][j] for j in range(H)] for n in range(N)], None
        s = steps[t]
        da = [[mp.mpf(0)] * G for _ in range(N)]
        dct = [[mp.mpf(0)] * H for _ in range(N)]
        for n in range(N):
            for j in range(H):
                ai, af, ao, ag = (s['a'][n][q * H + j] for q in range(4))
                i, f, o, g = sigmoid(ai), sigmoid(af), sigmoid(ao), mp.tanh(ag)
                cc = s['c'][n][j]
                d = dcf[n][j] + dh[n][j] * o * dtanh(cc)
                dct[n][j] = d
                da[n][j] = d * g * dsigmoid(ai)
                da[n][H + j] = d * s['cprev'][n][j] * dsigmoid(af)
                da[n][2 * H + j] = dh[n][j] * mp.tanh(cc) * dsigmoid(ao)
                da[n][3 * H + j] = d * i * dtanh(ag)
        return da, dct

    def carry(t, da, dct):
        dh = matmul(da, WHT)
        if not lstm:
            return dh, None
        f = [[sigmoid(steps[t]['a'][n][H + j]) for j in range(H)] for n in range(N)]
        return dh, [[dct[n][j] * f[n][j] for j in range(H)] for n in range(N)]

    zero = [[mp.mpf(0)] * H for _ in range(N)]
    # The loss at the last step.
    t = T - 1
    names = ['dh', 'dWx', 'dWh', 'db'] + (['dc'] if lstm else [])
    out = {q: [None] * T for q in names}
    dh, dcf = [row[:] for row in DOUT[t]], zero
    for k in range(t, -1, -1):
        out['dh'][k] = fro(dh)
        da, dct = cell_backward(k, dh, dcf)
        if lstm:
            out['dc'][k] = fro(dct)
        out['dWx'][k] = fro(matmul(transpose(X[k]), da))
        out['dWh'][k] = fro(matmul(transpose(hs[k]), da))
        out['db'][k] = fro([[mp.fsum(da[n][j] for n in range(N)) for j in range(G)]])
        dh, dcf = carry(k, da, dct)
    # The full gradients of L = sum_t L_t.
    gWx = [[mp.mpf(0)] * G for _ in range(D)]
    gWh = [[mp.mpf(0)] * G for _ in range(H)]
    gb = [mp.mpf(0)] * G
    dx2 = mp.mpf(0)
    dh, dcf = zero, zero
    for k in range(T - 1, -1, -1):
        dh = [[dh[n][j] + DOUT[k][n][j] for j in range(H)] for n in range(N)]
        da, dct = cell_backward(k, dh, dcf)
        px, ph = matmul(transpose(X[k]), da), matmul(transpose(hs[k]), da)
        gWx = [[gWx[i][j] + px[i][j] for j in range(G)] for i in range(D)]
        gWh = [[gWh[i][j] + ph[i][j] for j in range(G)] for i in range(H)]
        gb = [gb[j] + mp.fsum(da[n][j] for n in range(N)) for j in range(G)]
        dx2 += mp.fsum(v * v for row in matmul(da, WXT) for v in row)
        dh, dcf = carry(k, da, dct)
    full = dict(dWx=fro(gWx), dWh=fro(gWh), db=fro([gb]), dh0=fro(dh), dx=None if dx2 == 0 else float(mp.log10(mp.sqrt(dx2))))
    config = {k: v for k, v in c.items() if k != 'name'}
    return dict(name=c['name'], config=config, inputs_sha256=sha, last_loss=dict(t=t, log10=out), full_grad_norms=dict(log10=full))


json.dump(dict(generator='reference/exactness/make_exactness_cases.py', numpy=np.__version__, mpmath=mp.__version__, digits=mp.mp.dps,
               cases=[run(c) for c in CASES]), sys.stdout, indent=1)
sys.stdout.write('\n')

// sigma_max(Wh) with its Lanczos products riding on the loss-step backward pass's carry. At one
// sequence (N = 1) the carry dh_{k-1} = da_k Wh^T is one dot product per row of Wh, bound by
// reading Wh from memory (the LSTM's 32 MiB at H = 1024); the native kernel (seq_dots_rider_fn
// of native/gemm.h) forms half of a product with Wh^T Wh in the same pass over each row, from
// the row already in registers: y = Wh x on one carry, w = Wh^T y on the next. The Gram matrix
// Wh Wh^T that the other route starts from (theory.ts) was 2.1e9 multiply-adds there, about 7%
// of a probe of T = 500. Lanczos runs on Wh^T Wh (G x G), whose nonzero eigenvalues are those
// of Wh Wh^T: the same sigma_max^2, to the same tolerance.
import type { ForwardTrace } from './forward';
import { RiderHalf } from './linalg';
import { LanczosIteration, SPECTRAL_PRODUCTS, lanczosVectorDoubles, riderDoubles } from './theory';
import type { Workspace } from './workspace';

/**
 * The smallest Wh (H G doubles, 32 MiB) whose sigma_max rides on the carry: one past the L3 of
 * this project's machine, whose carry streams it from memory, where the rider's multiply-adds
 * hide. Measured on it (2026-12-04, best of six runs taken in turn), a probe of T = 499 at LSTM
 * H = 1024 (32 MiB) took 32 and 150 ms less with riders than with the Gram matrix in two such
 * measurements, while at RNN H = 1024 and LSTM H = 512 (8 MiB, in L3) the riders cost 31 ms more
 * and saved 15 ms.
 */
export const RIDER_MIN_DOUBLES = 4 * 1024 * 1024;

/** The parts of a probe's shape the route depends on. */
export interface RiderShape {
  arch: 'rnn' | 'lstm' | 'gru';
  N: number;
  H: number;
  G: number;
  lossStep: number;
}

/**
 * Whether a probe of this shape takes sigma_max(Wh) from riders where the kernels have them: an
 * RNN or LSTM of one sequence (whose carry is the dot products with Wh's rows), Wh of at least
 * RIDER_MIN_DOUBLES,
 * and carries enough for the Lanczos cap (two per product: steps lossStep .. 1 carry), so that
 * no product is left to run on its own. The cost model (probeCost.ts) prices the route by this.
 */
export function ridesCarryShape(s: RiderShape): boolean {
  return s.arch !== 'gru' && s.N === 1 && s.H * s.G >= RIDER_MIN_DOUBLES && s.lossStep >= 2 * SPECTRAL_PRODUCTS;
}

/** Whether riders can run on f's carries at all: the native kernel, and one sequence of an RNN or LSTM. */
export function carryTakesRiders(f: ForwardTrace): boolean {
  return Boolean(f.kernels.dotsRider) && f.N === 1 && f.arch !== 'gru';
}

/** ridesCarryShape, where riders can run on f's carries (carryTakesRiders). */
export function ridesCarry(f: ForwardTrace, lossStep: number): boolean {
  return carryTakesRiders(f) && ridesCarryShape({ arch: f.arch, N: f.N, H: f.H, G: f.G, lossStep });
}

/**
 * The Lanczos iteration on Wh^T Wh, fed by carries: before each carry, `half` says which half of
 * the current product the carry computes (0: none, the iteration is done), and advance() after
 * it moves on. x, y and w are views of the probe's arena, which the fused step locates.
 */
export class SpectralRider {
  half: RiderHalf | 0 = RiderHalf.Y;
  /** The product's argument (G), its Wh x (H) and its Wh^T y (G). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly w: Float64Array;
  private readonly lanczos: LanczosIteration;
  /** A carry's output where finish() runs a half without one. */
  private readonly spare: Float64Array;

  /** Takes riderDoubles(f) doubles of ws, laid out as that lists them. */
  constructor(
    private readonly f: ForwardTrace,
    ws: Workspace,
  ) {
    const { H, G } = f;
    const block = ws.take(riderDoubles(f));
    const vectorsEnd = lanczosVectorDoubles(G);
    const basisEnd = vectorsEnd + Math.min(SPECTRAL_PRODUCTS, G) * G;
    const vectors = block.subarray(0, vectorsEnd);
    const basis = block.subarray(vectorsEnd, basisEnd);
    this.lanczos = new LanczosIteration(G, SPECTRAL_PRODUCTS, f.kernels, vectors, basis);
    this.x = this.lanczos.argument;
    this.w = this.lanczos.result;
    this.y = block.subarray(basisEnd, basisEnd + H);
    this.spare = block.subarray(basisEnd + H, basisEnd + 2 * H);
  }

  /** After a carry that computed this.half: w zeroed for the next half, or the Lanczos step once the product is whole. */
  advance(): void {
    if (this.half === RiderHalf.Y) {
      this.w.fill(0);
      this.half = RiderHalf.W;
    } else if (this.half === RiderHalf.W) {
      this.lanczos.accept();
      this.half = this.lanczos.done ? 0 : RiderHalf.Y;
    }
  }

  /**
   * sigma_max(Wh), after the backward pass: any half its carries did not take runs here as a pass
   * of its own, with the same kernel and so the same bits (ridesCarryShape leaves none).
   */
  finish(): number {
    const { f } = this;
    while (this.half !== 0) {
      f.kernels.dotsRider!(f.H, f.G, this.x, f.Wh, this.spare, this.half, this.x, this.y, this.w);
      this.advance();
    }
    return Math.sqrt(this.lanczos.value);
  }
}

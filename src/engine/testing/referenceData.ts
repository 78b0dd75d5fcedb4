// Loads the independently computed float64 reference numbers kept in reference/ at the package
// root (see reference/README.md for what each file is and how it was produced).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder above this file holding package.json: the SeqLab package root. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

const REFERENCE_DIR = join(packageRoot(), 'reference');

export interface ReferenceCase {
  name: string;
  seed: number;
  arch: 'rnn' | 'lstm';
  N: number;
  T: number;
  D: number;
  H: number;
  bf: number | null;
  inputs_sha256: string;
  inputs_head?: Record<string, number[]>;
  suggested_rel_tol: number;
  expected: {
    forward: { loss: number; h_fro: number; h_last: number[] };
    last_loss: Record<string, number[]> & { t: number; log10?: Record<string, number[]> };
    full_grad_norms: Record<'dWx' | 'dWh' | 'db' | 'dh0' | 'dx', number>;
    article_components_dWx?: Record<string, number[]>;
  };
}

export function loadReferenceCases(): ReferenceCase[] {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, 'cases.json'), 'utf8')).cases;
}

export function loadRandnFirst10(): Record<string, number[]> {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, 'randn_first10.json'), 'utf8')).values;
}

export function relativeError(got: number, expected: number): number {
  if (expected === 0) return Math.abs(got);
  return Math.abs(got - expected) / Math.abs(expected);
}

// Lives with the store, whose migrations/ folder defines the root; the runner finds the worker from it.
// Finds the SeqLab package root (the folder holding package.json and migrations/) from a module
// file, so the same code works from src/ (tests, tsx) and from the bundled out/main/*.js.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findPackageRoot(fromUrl: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`cannot find the SeqLab package root (package.json + migrations/) above ${fileURLToPath(fromUrl)}`);
    }
    dir = parent;
  }
}

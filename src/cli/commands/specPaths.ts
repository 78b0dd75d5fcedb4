// A spec file's weights and inputs paths are relative to the spec file's folder (as a reader of
// the file expects), so the CLI makes them absolute before the lab sees them; refs
// (`example:…`, `lab:…`) and absolute paths stay as they are.
import { dirname, isAbsolute, resolve } from 'node:path';

const REF = /^(example|lab):/;

export function withSpecRelativePaths(spec: unknown, specPath: string): unknown {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return spec;
  const out = { ...(spec as Record<string, unknown>) };
  for (const field of ['weights', 'inputs'] as const) {
    const ref = out[field];
    if (typeof ref === 'string' && ref !== '' && !REF.test(ref) && !isAbsolute(ref))
      out[field] = resolve(dirname(resolve(specPath)), ref);
  }
  return out;
}

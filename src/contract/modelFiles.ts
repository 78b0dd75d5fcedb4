// Facts about trained-model files that the form, the adapters and the service share (issue 14).

/** The largest state_dict a lab imports (an upload in the browser lab, a file chosen in the app). */
export const MODEL_FILE_MAX_BYTES = 64 * 1024 * 1024;

/** The formats importModel takes, by file extension: PyTorch state_dicts. */
export const MODEL_FILE_EXTENSIONS = ['.safetensors', '.npz'] as const;

/** Whether a spec (as written, before checking) names a weights or inputs file. */
export function namesModelFiles(spec: unknown): spec is { weights?: unknown; inputs?: unknown } {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return false;
  const s = spec as Record<string, unknown>;
  return s.weights !== undefined || s.inputs !== undefined;
}

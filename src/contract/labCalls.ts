// The names of the lab's calls, typed from the contract. Zod-free so the sandboxed preload can
// import it without pulling a validator into the renderer's process.
import type { LabCall } from './labApi';

export const LAB_CALLS = [
  'getLabInfo',
  'checkSweep',
  'estimateSweep',
  'queueSweep',
  'listSweeps',
  'getSweep',
  'resolveSweeps',
  'cancelSweep',
  'pauseSweep',
  'resumeSweep',
  'retryFailed',
  'renameSweep',
  'deleteSweep',
  'getRunSettings',
  'setRunSettings',
  'loadCurves',
  'exportCsv',
  'loadProbeRates',
  'loadConnectivity',
  'listModels',
  'importModel',
] as const satisfies readonly LabCall[];

// Compile-time check that every call of LabApi is listed (and nothing else).
type Missing = Exclude<LabCall, (typeof LAB_CALLS)[number]>;
const _allListed: Missing extends never ? true : Missing = true;
void _allListed;

/** Calls that take no argument. */
export const NO_ARG_CALLS: ReadonlySet<LabCall> = new Set<LabCall>(['getLabInfo', 'listSweeps', 'getRunSettings', 'listModels']);

export const isLabCall = (name: string): name is LabCall => (LAB_CALLS as readonly string[]).includes(name);

/** IPC channel of a call (Electron) and of the progress events. */
export const ipcChannel = (call: LabCall): string => `seqlab:${call}`;
export const PROGRESS_CHANNEL = 'seqlab:progress';

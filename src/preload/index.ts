// The preload: exposes exactly one narrow function per call of the lab contract plus
// onProgress, through contextBridge. Each sends at most its one argument on its own channel;
// the main process checks the sender and validates the argument. ipcRenderer itself never
// reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import type { LabApi, LabCall, LabClient, ProgressEvent } from '../contract/labApi';
import { PROGRESS_CHANNEL, ipcChannel } from '../contract/labCalls';

/** One call's round trip; the result's type is the contract's (main answers with that call's Result). */
function invoke<C extends LabCall>(call: C, ...arg: Parameters<LabApi[C]>): ReturnType<LabApi[C]> {
  return ipcRenderer.invoke(ipcChannel(call), ...arg) as ReturnType<LabApi[C]>;
}

const api: LabClient = {
  getLabInfo: () => invoke('getLabInfo'),
  checkSweep: (spec) => invoke('checkSweep', spec),
  estimateSweep: (spec) => invoke('estimateSweep', spec),
  queueSweep: (spec) => invoke('queueSweep', spec),
  listSweeps: () => invoke('listSweeps'),
  getSweep: (sweepId) => invoke('getSweep', sweepId),
  resolveSweeps: (refs) => invoke('resolveSweeps', refs),
  cancelSweep: (sweepId) => invoke('cancelSweep', sweepId),
  pauseSweep: (sweepId) => invoke('pauseSweep', sweepId),
  resumeSweep: (sweepId) => invoke('resumeSweep', sweepId),
  retryFailed: (sweepId) => invoke('retryFailed', sweepId),
  renameSweep: (request) => invoke('renameSweep', request),
  deleteSweep: (sweepId) => invoke('deleteSweep', sweepId),
  getRunSettings: () => invoke('getRunSettings'),
  setRunSettings: (change) => invoke('setRunSettings', change),
  loadCurves: (query) => invoke('loadCurves', query),
  exportCsv: (request) => invoke('exportCsv', request),
  listModels: () => invoke('listModels'),
  importModel: (request) => invoke('importModel', request),
  loadProbeRates: (request) => invoke('loadProbeRates', request),
  loadConnectivity: (request) => invoke('loadConnectivity', request),
  onProgress(listener: (event: ProgressEvent) => void): () => void {
    const handler = (_e: Electron.IpcRendererEvent, event: ProgressEvent): void => listener(event);
    ipcRenderer.on(PROGRESS_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(PROGRESS_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('seqlab', api);

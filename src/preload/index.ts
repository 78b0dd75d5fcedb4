// The preload: exposes exactly one function per call of the lab contract plus onProgress,
// through contextBridge. ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer } from 'electron';
import type { LabApi, LabCall, LabClient, ProgressEvent } from '../contract/labApi';
import { LAB_CALLS, PROGRESS_CHANNEL, ipcChannel } from '../contract/labCalls';

const invoke =
  (call: LabCall) =>
  (arg?: unknown): Promise<unknown> =>
    arg === undefined ? ipcRenderer.invoke(ipcChannel(call)) : ipcRenderer.invoke(ipcChannel(call), arg);

const calls = Object.fromEntries(LAB_CALLS.map((call) => [call, invoke(call)])) as unknown as LabApi;

const api: LabClient = {
  ...calls,
  onProgress(listener: (event: ProgressEvent) => void): () => void {
    const handler = (_e: Electron.IpcRendererEvent, event: ProgressEvent): void => listener(event);
    ipcRenderer.on(PROGRESS_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(PROGRESS_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('seqlab', api);

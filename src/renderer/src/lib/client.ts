// The renderer's one way to the lab: window.seqlab (Electron preload) when present, otherwise
// the lab server over HTTP. Both are LabClients; the views never know which.
import type { LabClient } from '../../../contract/labApi';
import { createHttpClient } from './httpClient';

declare global {
  interface Window {
    seqlab?: LabClient;
  }
}

let client: LabClient | null = null;

export function getLabClient(): LabClient {
  client ??= window.seqlab ?? createHttpClient(window.location);
  return client;
}

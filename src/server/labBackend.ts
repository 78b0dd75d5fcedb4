// What the lab server needs from the core service: the LabApi plus progress, streamed export
// and close. The real one is openLabService (src/core/service/labService.ts).
import type { Writable } from 'node:stream';
import type { ExportDone, ExportRequest, LabApi, ProgressEvent } from '../shared/labApi';
import type { Result } from '../shared/result';

export interface LabBackend extends LabApi {
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  exportCsvToStream(request: ExportRequest, writable: Writable): Promise<Result<ExportDone>>;
  close(): Promise<void> | void;
}

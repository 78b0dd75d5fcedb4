// What the lab server needs from the core service: the LabApi plus progress, streamed export
// and close — a view of LabService, so the two cannot drift apart.
import type { LabService } from '../lab/labService';
import type { LabApi } from '../contract/labApi';

export type LabBackend = Pick<LabService, keyof LabApi | 'onProgress' | 'exportCsvToStream' | 'close'>;

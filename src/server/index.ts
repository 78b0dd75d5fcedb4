// startLabServer: opens the lab on a database and serves it (see labServer.ts). A lab on
// read-only media is served read-only (src/lab/readOnlyLab.ts): readable, nothing runs.
import { openLab } from '../lab/labService';
import { createLabServer, type LabServer, type LabServerLimits } from './labServer';

export interface StartLabServerOptions {
  dbPath: string;
  rendererDir: string;
  port?: number;
  host?: string;
  workers?: number;
  token?: string;
  limits?: Partial<LabServerLimits>;
}

/** The server, and whether the lab it serves is read-only. */
export type StartedLabServer = LabServer & { readOnly: boolean };

export async function startLabServer(opts: StartLabServerOptions): Promise<StartedLabServer> {
  const service = await openLab({ dbPath: opts.dbPath, workers: opts.workers });
  try {
    const info = await service.getLabInfo();
    const server = await createLabServer({
      service,
      rendererDir: opts.rendererDir,
      port: opts.port ?? 0,
      host: opts.host ?? '127.0.0.1',
      token: opts.token,
      limits: opts.limits,
      ownsService: true,
    });
    return Object.assign(server, { readOnly: info.ok && info.value.readOnly });
  } catch (err) {
    await service.close();
    throw err;
  }
}

export {
  createLabServer,
  DEFAULT_LIMITS,
  type LabServer,
  type LabServerLimits,
  type LabServerOptions,
  type LabServerStats,
} from './labServer';

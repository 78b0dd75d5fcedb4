// startLabServer: opens the lab service on a database and serves it (see labServer.ts).
import { openLabService } from '../lab/labService';
import { createLabServer, type LabServer } from './labServer';

export interface StartLabServerOptions {
  dbPath: string;
  rendererDir: string;
  port?: number;
  host?: string;
  workers?: number;
  token?: string;
}

export async function startLabServer(opts: StartLabServerOptions): Promise<LabServer> {
  const service = await openLabService({ dbPath: opts.dbPath, workers: opts.workers });
  try {
    return await createLabServer({
      service,
      rendererDir: opts.rendererDir,
      port: opts.port ?? 0,
      host: opts.host ?? '127.0.0.1',
      token: opts.token,
      ownsService: true,
    });
  } catch (err) {
    await service.close();
    throw err;
  }
}

export { createLabServer, type LabServer, type LabServerOptions } from './labServer';

// LabClient over the local lab server: POST /<token>/api/<call>, progress over Server-Sent
// Events, CSV export as a download of the server's streamed CSV. The token is the first path
// segment of the page's own URL (the server serves the renderer under /<token>/).
import type { ExportDone, ExportRequest, LabApi, LabCall, LabClient, ProgressEvent } from '../../../contract/labApi';
import { LAB_CALLS } from '../../../contract/labCalls';
import { fail, ok, type Result } from '../../../contract/result';
import { downloadBlob } from './figureExport/download';

export function tokenFromPath(pathname: string): string | null {
  const seg = pathname.split('/')[1] ?? '';
  return /^[0-9a-f]{16,}$/i.test(seg) ? seg : null;
}

export function apiBase(loc: { origin: string; pathname: string }): string {
  const token = tokenFromPath(loc.pathname);
  return token ? `${loc.origin}/${token}/api/` : `${loc.origin}/api/`;
}

/** Counts data rows of a CSV text chunk stream (lines after the header). */
export function countCsvRows(text: string): number {
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  return Math.max(0, lines.length - 1);
}

export function fileNameFromDisposition(header: string | null, fallback: string): string {
  const m = header ? /filename="?([^";]+)"?/i.exec(header) : null;
  return m ? m[1] : fallback;
}

export function createHttpClient(loc: { origin: string; pathname: string } = window.location): LabClient {
  const base = apiBase(loc);
  const listeners = new Set<(e: ProgressEvent) => void>();
  const connectedListeners = new Set<() => void>();
  let source: EventSource | null = null;

  async function call(name: LabCall, arg?: unknown): Promise<Result<unknown>> {
    try {
      const res = await fetch(base + name, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: arg === undefined ? '' : JSON.stringify(arg),
      });
      const body = (await res.json().catch(() => null)) as Result<unknown> | null;
      if (body && typeof body === 'object' && 'ok' in body) return body;
      return fail('internal', `lab server answered ${res.status} without a result`);
    } catch (err) {
      return fail('internal', `cannot reach the lab server: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async function exportCsv(request: ExportRequest): Promise<Result<ExportDone>> {
    const ids = request.sweepIds ?? [];
    const url = base + 'export.csv' + (ids.length ? `?sweepIds=${ids.join(',')}` : '');
    try {
      const res = await fetch(url);
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as Result<unknown> | null;
        return body && !body.ok ? body : fail('internal', `export failed: HTTP ${res.status}`);
      }
      const text = await res.text();
      const name = fileNameFromDisposition(res.headers.get('Content-Disposition'), 'seqlab.csv');
      downloadBlob(new Blob([text], { type: 'text/csv' }), name);
      return ok({ rows: countCsvRows(text), location: name });
    } catch (err) {
      return fail('internal', `export failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  function ensureSource(): void {
    if (source) return;
    source = new EventSource(base + 'events');
    // The stream opens after the page's first reads and reopens by itself after a drop: what
    // happened in between (a sweep queued and finished by another client) came as no event.
    source.addEventListener('open', () => {
      for (const l of connectedListeners) l();
    });
    source.addEventListener('progress', (ev) => {
      let parsed: ProgressEvent;
      try {
        parsed = JSON.parse((ev as MessageEvent<string>).data) as ProgressEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(parsed);
    });
  }

  const api = {} as Record<LabCall, (arg?: unknown) => Promise<Result<unknown>>>;
  for (const name of LAB_CALLS) api[name] = (arg?: unknown) => call(name, arg);
  api.exportCsv = (arg?: unknown) => exportCsv(arg ?? {});

  return {
    ...(api as unknown as LabApi),
    onProgress(listener) {
      listeners.add(listener);
      ensureSource();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && source) {
          source.close();
          source = null;
        }
      };
    },
    onConnected(listener) {
      connectedListeners.add(listener);
      return () => connectedListeners.delete(listener);
    },
  };
}

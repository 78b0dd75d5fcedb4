// The IPC manager: one ipcMain.handle per LabApi call. Each message must come from the app's
// own window and page; arguments are validated with the shared schemas; errors come back as
// Result values, never as rejected promises.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { LabApi, LabCall, ProgressEvent } from '../../contract/labApi';
import { LAB_CALLS, PROGRESS_CHANNEL, ipcChannel } from '../../contract/labCalls';
import { invokeLab, validateLabArg, type LabCallHandlers } from '../../contract/labArgs';
import { fail, type Result } from '../../contract/result';

export interface LabIpcOptions {
  /** The current lab (swapped by "Open Database…"). */
  getApi(): LabApi | null;
  /** The app window's webContents, or null when there is none. */
  getWebContents(): WebContents | null;
  /** True for the URL the app's page was loaded from. */
  isAppUrl(url: string): boolean;
  /** Calls the shell handles itself (e.g. exportCsv through a save dialog), typed from the contract. */
  overrides?: Partial<LabCallHandlers>;
}

export function isTrustedSender(event: IpcMainInvokeEvent, opts: LabIpcOptions): boolean {
  const wc = opts.getWebContents();
  const frame = event.senderFrame;
  if (!wc || wc.isDestroyed() || !frame || event.sender.id !== wc.id) return false;
  // Only the top frame of our own page (no iframes, no navigated-away pages).
  if (frame.parent !== null || frame.processId !== wc.mainFrame.processId || frame.routingId !== wc.mainFrame.routingId)
    return false;
  return opts.isAppUrl(frame.url);
}

/** Registers the handlers; returns a function that removes them. */
export function registerLabIpc(opts: LabIpcOptions): () => void {
  for (const call of LAB_CALLS) {
    ipcMain.handle(ipcChannel(call), (event, ...args: unknown[]) => handleCall(call, event, args, opts));
  }
  return () => {
    for (const call of LAB_CALLS) ipcMain.removeHandler(ipcChannel(call));
  };
}

/** One message: from the app's own page, with a valid argument, answered as a Result. */
async function handleCall<C extends LabCall>(
  call: C,
  event: IpcMainInvokeEvent,
  args: unknown[],
  opts: LabIpcOptions,
): Promise<Result<unknown>> {
  if (!isTrustedSender(event, opts)) return fail('forbidden', `${call}: refused a message from outside the app window`);
  if (args.length > 1) return fail('invalid-argument', `${call} takes at most one argument`);
  const arg = validateLabArg(call, args[0]);
  if (!arg.ok) return arg;
  try {
    const override = opts.overrides?.[call];
    if (override) return await override(arg.value);
    const api: LabApi | null = opts.getApi();
    if (!api) return fail('unavailable', 'no database is open');
    return await invokeLab(api, call, arg.value);
  } catch (err) {
    return fail('internal', `${call} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Pushes a progress event to the window (dropped when it is gone). */
export function sendProgress(wc: WebContents | null, event: ProgressEvent): void {
  if (wc && !wc.isDestroyed()) wc.send(PROGRESS_CHANNEL, event);
}

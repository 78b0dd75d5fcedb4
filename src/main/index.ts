// The Electron shell (thin): one locked-down window, the IPC manager over the lab service,
// probe workers as utility processes, and a menu to open another database.
import { app, BrowserWindow, dialog, Menu, screen, shell } from 'electron';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openLab, type LabService } from '../lab/labService';
import type { ExportDone, ExportRequest } from '../contract/labApi';
import { exportFileName } from '../contract/exportFileName';
import { fail, type Result } from '../contract/result';
import { registerLabIpc, sendProgress } from './ipc/labIpc';
import { utilitySpawner } from './utilityWorkers';
import { menuTemplate } from './shell/menuTemplate';
import { placeWindow, readWindowState, writeWindowState, MIN_SIZE } from './shell/windowState';
import { readRecentLabs, withoutRecent, withRecent, writeRecentLabs } from './shell/recentLabs';
import { droppedFileFromUrl } from './shell/droppedFiles';
import { shellFiles } from './shell/userFiles';

const here = import.meta.dirname;
const RENDERER_HTML = join(here, '../renderer/index.html');
const APP_URL = pathToFileURL(RENDERER_HTML).href;
const PRELOAD = join(here, '../preload/index.cjs');
const WORKER = join(here, 'probeWorker.js');

let win: BrowserWindow | null = null;
let service: LabService | null = null;
let unsubscribeProgress: (() => void) | null = null;
let recentLabs: string[] = [];

/**
 * `npm run dev` (electron-vite dev) serves the renderer from Vite's dev server for hot reload and
 * names it in ELECTRON_RENDERER_URL. Honoured only in an unpackaged app and only on loopback, so
 * a shipped app always loads its own files.
 */
function devRendererOrigin(): string | null {
  const url = process.env.ELECTRON_RENDERER_URL;
  if (app.isPackaged || !url) return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) ? u.origin : null;
  } catch {
    return null;
  }
}
const DEV_ORIGIN = devRendererOrigin();

const isAppUrl = (url: string): boolean => {
  const page = url.split('#')[0].split('?')[0];
  if (DEV_ORIGIN) return page === DEV_ORIGIN || page.startsWith(`${DEV_ORIGIN}/`);
  return page === APP_URL;
};

async function openDatabase(dbPath: string): Promise<void> {
  // The file already open: nothing to do (opening it a second time would meet its own lock).
  if (service && resolve(dbPath) === service.dbPath) return;
  // On read-only media the lab opens for reading only (the window says so; writes are refused).
  const next = await openLab({
    dbPath,
    spawnWorker: utilitySpawner(WORKER),
    nativeBinding: process.env.SEQLAB_SQLITE_BINDING || undefined,
  });
  const prev = service;
  unsubscribeProgress?.();
  service = next;
  unsubscribeProgress = next.onProgress((e) => sendProgress(win?.webContents ?? null, e));
  if (prev) await prev.close();
  const info = await next.getLabInfo();
  win?.setTitle(`SeqLab — ${dbPath}${info.ok && info.value.readOnly ? ' (read-only)' : ''}`);
  rememberRecent(withRecent(recentLabs, dbPath));
  app.addRecentDocument(dbPath);
}

function rememberRecent(list: string[]): void {
  recentLabs = list;
  writeRecentLabs(shellFiles(app.getPath('userData')).recentLabs, list);
  buildMenu();
}

/** Open Lab…, Open Recent, a dropped lab file: open it and reload the window onto it. */
async function openLabFromUser(dbPath: string): Promise<void> {
  try {
    await openDatabase(dbPath);
    win?.webContents.reload();
  } catch (err) {
    if (!existsSync(dbPath)) rememberRecent(withoutRecent(recentLabs, dbPath));
    dialog.showErrorBox('SeqLab', `Could not open ${dbPath}:\n${err instanceof Error ? err.message : String(err)}`);
  }
}

async function exportFromMenu(): Promise<void> {
  const res = await exportViaDialog({});
  if (!res.ok && res.error.code !== 'cancelled') dialog.showErrorBox('SeqLab', `Export failed: ${res.error.message}`);
}

async function exportViaDialog(request: ExportRequest): Promise<Result<ExportDone>> {
  if (!service) return fail('unavailable', 'no database is open');
  const defaultPath = join(app.getPath('documents'), exportFileName(request.sweepIds ?? []));
  const opts = { title: 'Export CSV', defaultPath, filters: [{ name: 'CSV', extensions: ['csv'] }] };
  const res = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  if (res.canceled || !res.filePath) return fail('cancelled', 'export cancelled');
  return service.exportCsvToFile(request, res.filePath);
}

async function chooseDatabase(): Promise<void> {
  const opts = {
    title: 'Open Database',
    defaultPath: app.getPath('userData'),
    properties: ['openFile', 'promptToCreate'] as ('openFile' | 'promptToCreate')[],
    filters: [{ name: 'SeqLab database', extensions: ['sqlite', 'db'] }],
  };
  const res = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  if (res.canceled || res.filePaths.length === 0) return;
  await openLabFromUser(res.filePaths[0]);
}

function buildMenu(): void {
  const template = menuTemplate({
    platform: process.platform,
    appName: app.getName(),
    recent: recentLabs,
    actions: {
      openLab: () => void chooseDatabase(),
      openRecent: (path) => void openLabFromUser(path),
      clearRecent: () => {
        app.clearRecentDocuments();
        rememberRecent([]);
      },
      exportCsv: () => void exportFromMenu(),
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Saves the window's normal (not maximized) bounds as it closes. */
function rememberWindowState(w: BrowserWindow): void {
  w.on('close', () => {
    try {
      writeWindowState(shellFiles(app.getPath('userData')).windowState, {
        bounds: w.getNormalBounds(),
        maximized: w.isMaximized(),
      });
    } catch {
      // A read-only profile folder: the next launch opens at the default place.
    }
  });
}

function createWindow(): void {
  const primary = screen.getPrimaryDisplay();
  const workAreas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  const placed = placeWindow(readWindowState(shellFiles(app.getPath('userData')).windowState), workAreas);
  win = new BrowserWindow({
    ...placed.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    title: 'SeqLab',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  const wc = win.webContents;
  wc.on('will-navigate', (e, url) => {
    if (isAppUrl(url)) return;
    e.preventDefault();
    // A lab file dropped onto the window arrives as a navigation to it (the renderer takes spec
    // .json drops itself, see FileDropTarget.svelte): open it as the lab instead.
    const dropped = droppedFileFromUrl(url);
    if (dropped?.kind === 'lab' && existsSync(dropped.path)) void openLabFromUser(dropped.path);
  });
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    // Links to documentation etc. open in the user's browser, never in the app.
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.session.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  rememberWindowState(win);
  win.once('ready-to-show', () => {
    if (placed.maximized) win?.maximize();
    win?.show();
  });
  win.on('closed', () => {
    win = null;
  });
  if (DEV_ORIGIN) void win.loadURL(`${DEV_ORIGIN}/`);
  else void win.loadFile(RENDERER_HTML);
}

// No other page may ever be attached to our process.
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
});

app.enableSandbox();

// One app at a time: a second launch brings the first window forward (it holds the lab file's
// lock, so the second could not run sweeps on it anyway).
const firstInstance = app.requestSingleInstanceLock();
if (!firstInstance) app.quit();
app.on('second-instance', () => {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.focus();
});

void app.whenReady().then(async () => {
  if (!firstInstance) return;
  recentLabs = readRecentLabs(shellFiles(app.getPath('userData')).recentLabs);
  buildMenu();
  registerLabIpc({
    getApi: () => service,
    getWebContents: () => win?.webContents ?? null,
    isAppUrl,
    overrides: { exportCsv: exportViaDialog },
  });
  const dbPath = process.env.SEQLAB_DB || join(app.getPath('userData'), 'seqlab.sqlite');
  try {
    await openDatabase(dbPath);
  } catch (err) {
    dialog.showErrorBox('SeqLab', `Could not open the database ${dbPath}:\n${err instanceof Error ? err.message : String(err)}`);
  }
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !service) return;
  e.preventDefault();
  quitting = true;
  unsubscribeProgress?.();
  void service.close().finally(() => app.quit());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// The application menu as a template (plain data, tested in Node): File with Open Lab…, Open
// Recent, Export CSV…, Close Window and Quit, and the usual Edit/View/Window menus, with the
// platform's shortcuts. index.ts builds it with Menu.buildFromTemplate and rebuilds it when the
// recent list changes.
import { basename } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openLab(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  exportCsv(): void;
}

export interface MenuInput {
  platform: NodeJS.Platform;
  appName: string;
  recent: readonly string[];
  actions: MenuActions;
}

export const SHORTCUTS = {
  openLab: 'CmdOrCtrl+O',
  exportCsv: 'CmdOrCtrl+E',
  close: 'CmdOrCtrl+W',
  quit: 'CmdOrCtrl+Q',
} as const;

function recentItems(recent: readonly string[], actions: MenuActions): MenuItemConstructorOptions[] {
  if (recent.length === 0) return [{ label: 'No recent labs', enabled: false }];
  // Same file name in two folders: the folder tells them apart.
  const names = recent.map((p) => basename(p));
  return [
    ...recent.map((path, i) => ({
      label: names.filter((n) => n === names[i]).length > 1 ? `${names[i]} — ${path}` : names[i],
      toolTip: path,
      click: () => actions.openRecent(path),
    })),
    { type: 'separator' as const },
    { label: 'Clear Recent', click: () => actions.clearRecent() },
  ];
}

export function menuTemplate({ platform, appName, recent, actions }: MenuInput): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open Lab…', accelerator: SHORTCUTS.openLab, click: () => actions.openLab() },
      { label: 'Open Recent', submenu: recentItems(recent, actions) },
      { type: 'separator' },
      { label: 'Export CSV…', accelerator: SHORTCUTS.exportCsv, click: () => actions.exportCsv() },
      { type: 'separator' },
      { role: 'close', label: 'Close Window', accelerator: SHORTCUTS.close },
      // On macOS Quit lives in the app menu.
      ...(mac ? [] : [{ role: 'quit' as const, label: 'Quit', accelerator: SHORTCUTS.quit }]),
    ],
  };
  const appMenu: MenuItemConstructorOptions = {
    label: appName,
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit', label: `Quit ${appName}`, accelerator: SHORTCUTS.quit },
    ],
  };
  return [...(mac ? [appMenu] : []), file, { role: 'editMenu' }, { role: 'viewMenu' }, { role: 'windowMenu' }];
}

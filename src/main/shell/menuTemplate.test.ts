import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, SHORTCUTS, type MenuActions } from './menuTemplate';

function recorder(): { actions: MenuActions; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      openLab: () => calls.push('openLab'),
      openRecent: (p) => calls.push(`openRecent ${p}`),
      clearRecent: () => calls.push('clearRecent'),
      exportCsv: () => calls.push('exportCsv'),
    },
  };
}

const sub = (item: MenuItemConstructorOptions): MenuItemConstructorOptions[] => item.submenu as MenuItemConstructorOptions[];
const find = (items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions => {
  const hit = items.find((i) => i.label === label);
  if (!hit) throw new Error(`no menu item ${label} in ${items.map((i) => i.label ?? i.role).join(', ')}`);
  return hit;
};
const click = (item: MenuItemConstructorOptions): void => (item.click as unknown as () => void)();

describe('application menu', () => {
  it('has File with the usual shortcuts, and Quit in File off macOS', () => {
    const { actions, calls } = recorder();
    const menu = menuTemplate({ platform: 'linux', appName: 'SeqLab', recent: [], actions });
    expect(menu.map((m) => m.label ?? m.role)).toEqual(['File', 'editMenu', 'viewMenu', 'windowMenu']);
    const file = sub(menu[0]);
    expect(find(file, 'Open Lab…').accelerator).toBe(SHORTCUTS.openLab);
    expect(find(file, 'Export CSV…').accelerator).toBe(SHORTCUTS.exportCsv);
    expect(find(file, 'Close Window')).toMatchObject({ role: 'close', accelerator: 'CmdOrCtrl+W' });
    expect(find(file, 'Quit')).toMatchObject({ role: 'quit', accelerator: 'CmdOrCtrl+Q' });
    expect(sub(find(file, 'Open Recent'))).toEqual([{ label: 'No recent labs', enabled: false }]);
    click(find(file, 'Open Lab…'));
    click(find(file, 'Export CSV…'));
    expect(calls).toEqual(['openLab', 'exportCsv']);
  });

  it('on macOS puts Quit in the app menu', () => {
    const menu = menuTemplate({ platform: 'darwin', appName: 'SeqLab', recent: [], actions: recorder().actions });
    expect(menu[0].label).toBe('SeqLab');
    expect(find(sub(menu[0]), 'Quit SeqLab').role).toBe('quit');
    expect(sub(find(menu, 'File')).some((i) => i.role === 'quit')).toBe(false);
  });

  it('lists recent labs by file name, with the folder when two share a name, and opens them', () => {
    const { actions, calls } = recorder();
    const recent = ['/a/lab.sqlite', '/b/lab.sqlite', '/c/study.sqlite'];
    const items = sub(find(sub(menuTemplate({ platform: 'win32', appName: 'SeqLab', recent, actions })[0]), 'Open Recent'));
    expect(items.map((i) => i.label ?? i.type)).toEqual([
      'lab.sqlite — /a/lab.sqlite',
      'lab.sqlite — /b/lab.sqlite',
      'study.sqlite',
      'separator',
      'Clear Recent',
    ]);
    click(items[2]);
    click(find(items, 'Clear Recent'));
    expect(calls).toEqual(['openRecent /c/study.sqlite', 'clearRecent']);
  });
});

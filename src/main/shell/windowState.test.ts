import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, placeWindow, readWindowState, writeWindowState, type Rect } from './windowState';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 875 };
const monitorRight: Rect = { x: 1440, y: 0, width: 2560, height: 1415 };

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('window state', () => {
  it('persists and reads back the bounds and the maximized flag', () => {
    dir = mkdtempSync(join(tmpdir(), 'seqlab-win-'));
    const file = join(dir, 'sub', 'window-state.json');
    expect(readWindowState(file)).toBeNull();
    writeWindowState(file, { bounds: { x: 10, y: 20, width: 1300, height: 820 }, maximized: true });
    expect(readWindowState(file)).toEqual({ bounds: { x: 10, y: 20, width: 1300, height: 820 }, maximized: true });
    expect(JSON.parse(readFileSync(file, 'utf8')).bounds.width).toBe(1300);
  });

  it('ignores a damaged or foreign file', () => {
    dir = mkdtempSync(join(tmpdir(), 'seqlab-win-'));
    const file = join(dir, 'window-state.json');
    writeFileSync(file, '{"bounds": {"x": "left"}');
    expect(readWindowState(file)).toBeNull();
    writeFileSync(file, JSON.stringify({ bounds: { x: 0, y: 0, width: null, height: 5 } }));
    expect(readWindowState(file)).toBeNull();
  });

  it('opens at the default size centred on the primary display the first time', () => {
    expect(placeWindow(null, [laptop, monitorRight])).toEqual({
      bounds: { x: Math.round((1440 - DEFAULT_SIZE.width) / 2), y: Math.round((875 - DEFAULT_SIZE.height) / 2), ...DEFAULT_SIZE },
      maximized: false,
    });
  });

  it('puts the window back where it was on a display that is still there', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1400, height: 900 }, maximized: false };
    expect(placeWindow(saved, [laptop, monitorRight]).bounds).toEqual(saved.bounds);
  });

  it('brings back a window whose display was unplugged, keeping its size where it fits', () => {
    const saved = { bounds: { x: 1600, y: 100, width: 1200, height: 800 }, maximized: true };
    const placed = placeWindow(saved, [laptop]);
    expect(placed.maximized).toBe(true);
    expect(placed.bounds).toEqual({ x: 120, y: 38, width: 1200, height: 800 });
  });

  it('shrinks a window larger than its display and moves it fully onto it', () => {
    const saved = { bounds: { x: 1300, y: 10, width: 3000, height: 2000 }, maximized: false };
    const placed = placeWindow(saved, [laptop, monitorRight]).bounds;
    // Its title bar lay mostly on the big monitor: it stays there, shrunk to the work area.
    expect(placed).toEqual({ x: 1440, y: 0, width: 2560, height: 1415 });
  });

  it('centres a window whose title bar is off every display (above the top)', () => {
    const placed = placeWindow({ bounds: { x: 100, y: -200, width: 1100, height: 700 }, maximized: false }, [laptop]).bounds;
    expect(placed).toEqual({ x: 170, y: 88, width: 1100, height: 700 });
  });

  it('does not keep a window whose title bar is only a sliver on screen', () => {
    const saved = { bounds: { x: 1420, y: 300, width: 900, height: 700 }, maximized: false };
    const placed = placeWindow(saved, [laptop]).bounds;
    expect(placed.x + placed.width).toBeLessThanOrEqual(1440);
    expect(placed.x).toBeGreaterThanOrEqual(0);
  });
});

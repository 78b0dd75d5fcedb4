// The main window's size and position, remembered across launches in a JSON file in the app's
// userData folder, and put back only where a display can show it (a monitor unplugged since, a
// smaller screen): plain functions, tested in Node; index.ts reads the displays and the window.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 800 };
export const MIN_SIZE = { width: 1024, height: 640 };
/** How much of the title bar must lie on a display for the window to count as reachable. */
const MIN_VISIBLE = 64;

const isFiniteRect = (r: unknown): r is Rect =>
  !!r && typeof r === 'object' && ['x', 'y', 'width', 'height'].every((k) => Number.isFinite((r as Record<string, unknown>)[k]));

/** The saved state, or null when there is none or it is not ours (never throws). */
export function readWindowState(file: string): WindowState | null {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    if (!isFiniteRect(raw.bounds)) return null;
    return { bounds: raw.bounds, maximized: raw.maximized === true };
  } catch {
    return null;
  }
}

/** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
export function writeWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file);
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function centred(size: { width: number; height: number }, area: Rect): Rect {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  return { x: Math.round(area.x + (area.width - width) / 2), y: Math.round(area.y + (area.height - height) / 2), width, height };
}

/**
 * Where to open the window: the saved bounds when their title bar lies on a display (shrunk to
 * fit that display's work area and moved fully onto it), else the default size centred on the
 * primary display. `workAreas[0]` is the primary display's.
 */
export function placeWindow(saved: WindowState | null, workAreas: Rect[]): { bounds: Rect; maximized: boolean } {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE };
  if (!saved) return { bounds: centred(DEFAULT_SIZE, primary), maximized: false };
  const b = saved.bounds;
  const titleBar: Rect = { x: b.x, y: b.y, width: b.width, height: Math.min(b.height, 32) };
  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const o = overlap(titleBar, area);
    if (o > bestArea) [best, bestArea] = [area, o];
  }
  const visibleWidth = best ? Math.min(titleBar.x + titleBar.width, best.x + best.width) - Math.max(titleBar.x, best.x) : 0;
  if (!best || visibleWidth < Math.min(MIN_VISIBLE, b.width)) return { bounds: centred(b, primary), maximized: saved.maximized };
  const width = Math.max(Math.min(b.width, best.width), Math.min(MIN_SIZE.width, best.width));
  const height = Math.max(Math.min(b.height, best.height), Math.min(MIN_SIZE.height, best.height));
  const x = Math.min(Math.max(b.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(b.y, best.y), best.y + best.height - height);
  return { bounds: { x, y, width, height }, maximized: saved.maximized };
}

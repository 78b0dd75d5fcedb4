// A file dropped onto the window reaches the main process as a navigation to its file:// URL
// (the renderer takes spec .json drops itself and lets lab files through): which file, and what
// to do with it. The navigation itself is always refused (index.ts, will-navigate).
import { fileURLToPath } from 'node:url';
import { droppedFileKind, type DroppedFileKind } from '../../contract/droppedFile';

export type DroppedFile = { kind: DroppedFileKind; path: string };

/** The dropped file a navigation names, or null for anything else (http, a folder, another type). */
export function droppedFileFromUrl(url: string): DroppedFile | null {
  let path: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'file:') return null;
    path = fileURLToPath(u);
  } catch {
    return null;
  }
  const kind = droppedFileKind(path);
  return kind ? { kind, path } : null;
}

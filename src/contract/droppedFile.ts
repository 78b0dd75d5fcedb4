// What a file dropped onto the window is, by its name: a lab file opens as the lab, a spec .json
// opens in the New sweep form. One list for the Electron main process and the renderer.

export const LAB_FILE_EXTENSIONS = ['sqlite', 'db'] as const;
export const SPEC_FILE_EXTENSIONS = ['json'] as const;

export type DroppedFileKind = 'lab' | 'spec';

export function droppedFileKind(name: string): DroppedFileKind | null {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
  if (!ext) return null;
  if ((LAB_FILE_EXTENSIONS as readonly string[]).includes(ext)) return 'lab';
  if ((SPEC_FILE_EXTENSIONS as readonly string[]).includes(ext)) return 'spec';
  return null;
}

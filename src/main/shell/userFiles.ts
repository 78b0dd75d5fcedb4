// Where the desktop shell keeps its own small files, in Electron's userData folder.
import { join } from 'node:path';

export const shellFiles = (userData: string): { windowState: string; recentLabs: string } => ({
  windowState: join(userData, 'window-state.json'),
  recentLabs: join(userData, 'recent-labs.json'),
});

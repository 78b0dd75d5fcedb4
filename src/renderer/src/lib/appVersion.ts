// The SeqLab version the figures' footers name. Vite inlines only the `version` field of
// package.json at build time (a named JSON import), so the bundle carries no other package data.
import { version } from '../../../../package.json';

export const APP_VERSION: string = version;

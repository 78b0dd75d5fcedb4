// Playwright global setup: the same builds as vitest's (scripts/test/builds.ts), so
// `npm run test:e2e` alone runs current code; the specs start the lab server from them.
import { buildBothIfStale } from './builds';

export default function setup(): void {
  buildBothIfStale();
}

// @ts-check
import { readFileSync, writeFileSync } from 'node:fs';
// Loads the `wabt` package (WAT -> wasm) for the generator scripts. A devDependency: the binaries
// are committed (so the app needs no build step), and `npm test` checks they are current.
/** @param {string} script the calling script's name, for the error message @returns {Promise<any>} */
export async function loadWabt(script) {
  // A variable module name keeps the type checker from resolving wabt.
  const wabtName = 'wabt';
  try {
    return await (await import(wabtName)).default();
  } catch {
    console.error(`${script}: wabt is not installed; run \`npm install\` first`);
    process.exit(1);
  }
}

/**
 * Writes a generated file, or with --check only verifies it is current (exit code 1 if not).
 * @param {string} script @param {string} outPath @param {string} text @param {string} wrote what to say after writing
 */
export function writeOrCheck(script, outPath, text, wrote) {
  const name = outPath.split('/').pop();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(outPath, 'utf8');
    } catch {}
    if (current !== text) {
      console.error(`${script}: ${name} is stale; rerun without --check`);
      process.exit(1);
    }
    console.log(`${script}: ${name} is up to date`);
  } else {
    writeFileSync(outPath, text);
    console.log(`${script}: wrote ${outPath} (${wrote})`);
  }
}

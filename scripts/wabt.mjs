// @ts-check
// Loads the `wabt` package (WAT -> wasm) for the generator scripts. It is not a dependency: the
// generated binaries are committed, so only someone changing a .wat file needs it.
/** @param {string} script the calling script's name, for the error message @returns {Promise<any>} */
export async function loadWabt(script) {
  // A variable module name keeps the type checker from resolving wabt.
  const wabtName = 'wabt';
  try {
    return await (await import(wabtName)).default();
  } catch {
    console.error(`${script}: wabt is not installed; run \`npm install --no-save wabt\` first`);
    process.exit(1);
  }
}

// The name an export is offered under (the browser's download, Electron's save dialog), so both
// adapters name the same export the same way.
export function exportFileName(sweepIds: readonly number[]): string {
  return sweepIds.length === 0 ? 'seqlab-all.csv' : `seqlab-sweep-${sweepIds.join('-')}.csv`;
}

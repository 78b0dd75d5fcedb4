// The soak's verdict on the data: the CSV of the interrupted lab against the CSV of the same
// spec run without interruption, row by row as a multiset (a row lost, a row stored twice).
export interface ExportComparison {
  expectedRows: number;
  rows: number;
  lost: number;
  duplicated: number;
  identical: boolean;
}

function countLines(csv: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of csv.trimEnd().split('\n').slice(1)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

export function compareExports(reference: string, actual: string): ExportComparison {
  const want = countLines(reference);
  const got = countLines(actual);
  let lost = 0;
  let duplicated = 0;
  for (const [line, n] of want) lost += Math.max(0, n - (got.get(line) ?? 0));
  for (const [line, n] of got) duplicated += Math.max(0, n - (want.get(line) ?? 0));
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  return { expectedRows: sum(want), rows: sum(got), lost, duplicated, identical: reference === actual };
}

// The test build's hook: window.__seqlabCharts[id] describes what each chart draws, so the e2e
// specs assert on chart data. Callers guard with __SEQLAB_TEST_HOOKS__ (false in the shipped
// build, which then drops the description with the call).
type ChartRegistry = { __seqlabCharts?: Record<string, unknown> };

export function publishChart(id: string, info: Record<string, unknown>): void {
  const w = window as unknown as ChartRegistry;
  w.__seqlabCharts ??= {};
  w.__seqlabCharts[id] = info;
}

export function unpublishChart(id: string): void {
  const w = window as unknown as ChartRegistry;
  if (w.__seqlabCharts) delete w.__seqlabCharts[id];
}

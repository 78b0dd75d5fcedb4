// Human-readable numbers for the UI.

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toPrecision(3)} ${units[i]}`;
}

export function formatCount(n: number): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US') : '—';
}

/** Throughput, always in probes/s (one unit everywhere, as the CLI prints it), to two significant digits below 10. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  if (perSecond >= 10) return `${perSecond.toFixed(0)} probes/s`;
  return `${Number(perSecond.toPrecision(2))} probes/s`;
}

/** A forget-gate bias or other small real for labels: "2", "-0.5", "1.25". */
export function formatNum(x: number, digits = 4): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(digits)));
}

// Human-readable numbers for the viewer: trace times are integer nanoseconds, people read ms and s.

export interface TimeUnit {
  name: string;
  ns: number;
}

const UNITS: TimeUnit[] = [
  { name: "s", ns: 1e9 },
  { name: "ms", ns: 1e6 },
  { name: "µs", ns: 1e3 },
  { name: "ns", ns: 1 },
];

/** The largest unit in which `spanNs` is at least 2. */
export function unitFor(spanNs: number): TimeUnit {
  return UNITS.find((u) => spanNs >= 2 * u.ns) ?? UNITS[UNITS.length - 1];
}

/** A duration with 3 significant digits in the unit that suits it: "1.25 ms". */
export function formatDuration(ns: number): string {
  const unit = unitFor(Math.abs(ns) * 2);
  const v = ns / unit.ns;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit.name}`;
}

/** A time in a fixed unit, with enough decimals to tell apart values `resolutionNs` apart. */
export function formatIn(ns: number, unit: TimeUnit, resolutionNs: number): string {
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(resolutionNs / unit.ns))));
  return (ns / unit.ns).toFixed(decimals);
}

export function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function formatStaleness(s: number | null): string {
  return s === null || s === Number.POSITIVE_INFINITY ? "∞" : String(s);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

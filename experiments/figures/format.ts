// Numbers for humans, shared by the figures and the report: durations in the unit that suits them, speedups
// with two significant digits, objective names short enough for an axis.

import { format } from "d3";

export interface TimeUnit {
  /** Nanoseconds per unit. */
  ns: number;
  symbol: "ns" | "µs" | "ms" | "s";
}

const UNITS: TimeUnit[] = [
  { ns: 1e9, symbol: "s" },
  { ns: 1e6, symbol: "ms" },
  { ns: 1e3, symbol: "µs" },
  { ns: 1, symbol: "ns" },
];

/** The largest unit in which `ns` is at least 1 (seconds from 1 s up, so 2500 ms reads as 2.5 s). */
export function timeUnitFor(ns: number): TimeUnit {
  const magnitude = Math.abs(ns);
  return UNITS.find((u) => magnitude >= u.ns) ?? UNITS[UNITS.length - 1];
}

const threeDigits = format(".3~r");

/** "850 ms", "1.24 s", "42 µs": three significant digits in the unit that suits the value. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return "—";
  if (ns === 0) return "0 s";
  const unit = timeUnitFor(ns);
  return `${threeDigits(ns / unit.ns)} ${unit.symbol}`;
}

/** "×2.3", "×0.57", "×12": two significant digits. */
export function formatSpeedup(ratio: number): string {
  if (ratio === Number.POSITIVE_INFINITY) return "×∞";
  if (!Number.isFinite(ratio)) return "—";
  return `×${format(".2r")(ratio)}`;
}

const compact = format(".4~g");

/** An objective value for a table: four significant digits, no trailing zeros. */
export function formatValue(value: number): string {
  return Number.isFinite(value) ? compact(value) : "—";
}

const rate = format(".3~r");

export function formatRate(perSecond: number): string {
  return Number.isFinite(perSecond) ? rate(perSecond) : "—";
}

/** "training loss (mean squared error + …)" → "training loss": the part before the explanation. */
export function shortObjectiveName(name: string): string {
  const cut = name.indexOf(" (");
  const short = cut > 0 ? name.slice(0, cut) : name;
  return short.length > 42 ? `${short.slice(0, 40)}…` : short;
}

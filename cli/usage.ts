// Flag parsing shared by every command: node:util parseArgs, with errors that say what to do.

import { type ParseArgsConfig, parseArgs } from "node:util";

/** A mistake in how the command was called: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export type FlagSpec = NonNullable<ParseArgsConfig["options"]>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseFlags(
  command: string,
  argv: string[],
  options: FlagSpec,
  allowPositionals = false,
): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values as Parsed["values"], positionals };
  } catch (e) {
    const message = (e as Error).message.replace(/^Unknown option/, "unknown flag");
    throw new UsageError(`ssp ${command}: ${message}. Run 'ssp ${command} --help' for the flags it takes.`);
  }
}

export function stringFlag(parsed: Parsed, name: string, fallback: string): string {
  const v = parsed.values[name];
  return typeof v === "string" ? v : fallback;
}

export function intFlag(command: string, parsed: Parsed, name: string, fallback: number, min = 0): number {
  const v = parsed.values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n) || n < min) {
    throw new UsageError(`ssp ${command}: --${name} takes an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return n;
}

export function numberFlag(command: string, parsed: Parsed, name: string, fallback: number): number {
  const v = parsed.values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isFinite(n)) {
    throw new UsageError(`ssp ${command}: --${name} takes a number, got ${JSON.stringify(v)}`);
  }
  return n;
}

/** Staleness as users write it: an integer, or "inf" / "async" for unbounded. */
export function stalenessValue(command: string, text: string): number {
  if (text === "inf" || text === "infinity" || text === "async") return Number.POSITIVE_INFINITY;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(
      `ssp ${command}: staleness must be an integer ≥ 0 or 'inf', got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

export function choiceFlag<T extends string>(
  command: string,
  parsed: Parsed,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = parsed.values[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    throw new UsageError(
      `ssp ${command}: --${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}

// Loaders refuse malformed files with the file, the line and the problem, so a user can go and fix it.

import { readFileSync } from "node:fs";

export class DataFormatError extends Error {
  override name = "DataFormatError";
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super(line > 0 ? `${file}:${line}: ${problem}` : `${file}: ${problem}`);
  }
}

/** The file's lines, with a clear error when it cannot be read. */
export function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DataFormatError(
      file,
      0,
      `cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Parses a field as an integer in [min, max], or throws naming file, line and field. */
export function intField(
  file: string,
  line: number,
  what: string,
  text: string,
  min: number,
  max: number,
): number {
  const n = Number(text);
  if (text === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new DataFormatError(
      file,
      line,
      `${what} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`,
    );
  }
  return n;
}

export function numberField(file: string, line: number, what: string, text: string): number {
  const n = Number(text);
  if (text === "" || !Number.isFinite(n)) {
    throw new DataFormatError(file, line, `${what} must be a finite number, got ${JSON.stringify(text)}`);
  }
  return n;
}

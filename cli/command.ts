// The shape of one `ssp` command. Each command lives in cli/commands/<name>.ts and is listed in cli/main.ts.

export interface Command {
  name: string;
  summary: string;
  /** Full help text, printed by `ssp <name> --help`. */
  help: string;
  /** Returns the process exit code. Throw UsageError for bad flags (exit 2). */
  run(argv: string[]): Promise<number>;
}

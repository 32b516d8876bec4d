// The `ssp` command: a thin composition root. It finds the command and hands it the rest of the arguments.

import type { Command } from "./command.ts";
import { UsageError } from "./usage.ts";

const commands: Command[] = [];

export function register(command: Command): void {
  commands.push(command);
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    "ssp — a stale synchronous parallel parameter server (simulator and TCP runtime)",
    "",
    "Usage: ssp <command> [flags]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run 'ssp <command> --help' for a command's flags.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${overview()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    process.stdout.write("ssptable 0.1.0\n");
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(
      `ssp: unknown command '${name}'. Commands: ${commands.map((c) => c.name).join(", ")}.\n`,
    );
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    process.stderr.write(`ssp ${name}: ${(e as Error).message}\n`);
    return 1;
  }
}

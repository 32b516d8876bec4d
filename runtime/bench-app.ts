// The app `ssp bench net` runs on the runtime to measure it: pushes or pulls whole rows, or many small ones.
// It does no arithmetic of its own, so the time it takes is the runtime's (core, codec, sockets).

import type { AppFactory, AppInstance, WorkerApi } from "../apps/api.ts";

type Mode = "push" | "pull" | "small" | "rtt";
const MODES: readonly Mode[] = ["push", "pull", "small", "rtt"];
/** Rows each worker increments per clock in small mode. */
export const SMALL_ROWS_PER_CLOCK = 256;

export const benchApp: AppFactory = {
  name: "netbench",
  summary:
    "benchmark app: push or pull whole rows (width floats), many small rows, or one cache miss per clock",
  options: [
    { name: "mode", description: "push, pull, small or rtt", default: "push" },
    { name: "width", description: "floats per row (push and pull)", default: "1024" },
  ],
  create(options): AppInstance {
    const mode = (options.mode ?? "push") as Mode;
    if (!MODES.includes(mode))
      throw new Error(`netbench app: mode must be one of ${MODES.join(", ")}, got ${mode}`);
    const width = mode === "small" || mode === "rtt" ? 1 : Number(options.width ?? "1024");
    if (!Number.isInteger(width) || width < 1)
      throw new Error(`netbench app: width must be a positive integer, got ${options.width}`);
    const rows = mode === "small" ? 4096 : 1;
    const ones = new Float32Array(width).fill(1);
    return {
      name: "netbench",
      objectiveName: "sum of row 0",
      objectiveGoal: "maximize",
      tables: () => [{ id: 0, name: "rows", width, rows, valueType: "float32" }],
      async run(api: WorkerApi, clocks: number) {
        for (let c = 0; c < clocks; c++) {
          if (mode === "push") api.incRow(0, 0, ones);
          else if (mode === "pull" || mode === "rtt") await api.read(0, 0);
          else
            for (let i = 0; i < SMALL_ROWS_PER_CLOCK; i++)
              api.inc(0, (c * SMALL_ROWS_PER_CLOCK + i) % rows, 0, 1);
          await api.clock();
        }
      },
      objective: (model) => model.row(0, 0).get(0),
      describe: () => ({ mode, width }),
    };
  },
};

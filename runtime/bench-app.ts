// The app `ssp bench net` runs on the runtime to measure it: pushes or pulls whole rows, or many small ones.
// It does no arithmetic of its own, so the time it takes is the runtime's (core, codec, sockets).

import type { AppFactory, AppInstance, WorkerApi } from "../apps/api.ts";
import { newKernelDense } from "../core/rows.ts";

type Mode = "push" | "pull" | "small" | "rtt";
const MODES: readonly Mode[] = ["push", "pull", "small", "rtt"];
/** Rows each worker increments per clock in small mode. */
export const SMALL_ROWS_PER_CLOCK = 256;
/** Table 1: one float the push mode reads once at the end, as a fence (see below). */
const FENCE_TABLE = 1;

export const benchApp: AppFactory = {
  name: "netbench",
  summary:
    "benchmark app: push or pull whole rows (width floats), many small rows, or one cache miss per clock",
  options: [
    { name: "mode", description: "push, pull, small or rtt", default: "push" },
    { name: "width", description: "floats per row (push and pull)", default: "1024" },
    { name: "rows", description: "rows pulled per clock (pull), as one readMany", default: "1" },
  ],
  create(options): AppInstance {
    const mode = (options.mode ?? "push") as Mode;
    if (!MODES.includes(mode))
      throw new Error(`netbench app: mode must be one of ${MODES.join(", ")}, got ${mode}`);
    const width = mode === "small" || mode === "rtt" ? 1 : Number(options.width ?? "1024");
    if (!Number.isInteger(width) || width < 1)
      throw new Error(`netbench app: width must be a positive integer, got ${options.width}`);
    const pullRows = mode === "pull" ? Number(options.rows ?? "1") : 1;
    if (!Number.isInteger(pullRows) || pullRows < 1)
      throw new Error(`netbench app: rows must be a positive integer, got ${options.rows}`);
    const rows = mode === "small" ? 4096 : pullRows;
    // In the kernels' memory, so that lendRow checks it where it is, or copies it in one pass (see
    // WorkerApi.lendRow).
    const ones = newKernelDense("float32", width).fill(1);
    const everyRow = Array.from({ length: pullRows }, (_, i) => i);
    return {
      name: "netbench",
      objectiveName: "sum of row 0",
      objectiveGoal: "maximize",
      tables: () => [
        { id: 0, name: "rows", width, rows, valueType: "float32" },
        { id: FENCE_TABLE, name: "fence", width: 1, rows: 1, valueType: "float32" },
      ],
      async run(api: WorkerApi, clocks: number) {
        // Pulled rows hold values, as a model's rows do: the server must send rows it stores, not make a
        // zero row per reply. (This write travels with clock 0's batch: a little extra time, no extra bytes.)
        if (mode === "pull") for (const row of everyRow) api.incRow(0, row, ones);
        for (let c = 0; c < clocks; c++) {
          // Lent, not copied: the row is the same every clock, and clock() returns once it has been sent.
          if (mode === "push") api.lendRow(0, 0, ones);
          else if (mode === "rtt") await api.read(0, 0);
          // A cache refresh: every row of the table, requested at once, so the requests pipeline.
          else if (mode === "pull") await api.readMany(0, everyRow);
          else
            for (let i = 0; i < SMALL_ROWS_PER_CLOCK; i++)
              api.inc(0, (c * SMALL_ROWS_PER_CLOCK + i) % rows, 0, 1);
          await api.clock();
        }
        // The fence: a row never read before is a cache miss at any consistency, and its request travels
        // behind every batch on the same connection, so the reply proves the server has applied them all.
        // Without it, an async push run would end when the bytes left this process, not when they arrived.
        if (mode === "push" || mode === "small") await api.read(FENCE_TABLE, 0);
      },
      objective: (model) => model.row(0, 0).get(0),
      describe: () => ({ mode, width, rows: pullRows }),
    };
  },
};

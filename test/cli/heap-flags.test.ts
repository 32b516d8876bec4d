// Simulation commands and runtime roles run again in a Node with their heap flag, once, and only them.

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { heapFlagFor, wantsRestart, YOUNG_GENERATION_FLAG } from "../../cli/heap-flags.ts";
import { ROLE_HEAP_FLAG } from "../../runtime/launcher.ts";

describe("heap flag restart", () => {
  it("restarts the simulating commands and the runtime roles that lack their flag, and nothing else", () => {
    for (const argv of [
      ["sim"],
      ["sweep", "--default"],
      ["sweep-worker"],
      ["bench", "sim"],
      ["bench", "all"],
    ]) {
      expect(wantsRestart(argv, [], undefined)).toBe(true);
    }
    for (const argv of [[], ["check", "t.jsonl"], ["bench", "net"], ["launch"], ["--help"]]) {
      expect(wantsRestart(argv, [], undefined)).toBe(false);
    }
    expect(heapFlagFor(["sim"])).toBe(YOUNG_GENERATION_FLAG);
    for (const role of ["server", "worker"]) {
      expect(heapFlagFor([role])).toBe(ROLE_HEAP_FLAG);
      expect(wantsRestart([role], [], undefined)).toBe(true);
      expect(wantsRestart([role], [ROLE_HEAP_FLAG], undefined)).toBe(false);
      // The young generation's flag is not the old generation's.
      expect(wantsRestart([role], [YOUNG_GENERATION_FLAG], undefined)).toBe(true);
    }
  });

  it("never restarts twice: the flag given to node or in NODE_OPTIONS is enough", () => {
    expect(wantsRestart(["sim"], [YOUNG_GENERATION_FLAG], undefined)).toBe(false);
    expect(wantsRestart(["sim"], ["--max-semi-space-size=16"], undefined)).toBe(false);
    expect(wantsRestart(["sim"], [], "--enable-source-maps --max-semi-space-size=32")).toBe(false);
    expect(wantsRestart(["sim"], ["--enable-source-maps"], "--enable-source-maps")).toBe(true);
  });
});

/** A child process of `parent`, from /proc (Linux): the field after the command in /proc/PID/stat. */
function childOf(parent: number): number | null {
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) return Number(name);
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}

describe("the restarted command", () => {
  it("dies with its parent: a SIGTERM to ssp reaches the simulation child, and ssp reports it", async () => {
    const parent = spawn(
      process.execPath,
      ["dist/ssp.js", "sim", "--workers", "2000", "--clocks", "300", "--json"],
      { stdio: "ignore" },
    );
    // Look without pausing, so that the signal goes as soon as the child is forked: that is when a parent
    // that listens for signals too late dies and leaves its child running. Bounded: the child appears within
    // a few hundred milliseconds.
    const childPid = (): number | null => {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const pid = childOf(parent.pid!);
        if (pid !== null) return pid;
      }
      return null;
    };
    const child = childPid();
    expect(child).not.toBeNull();
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      parent.once("exit", (_c, s) => resolve(s)),
    );
    parent.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    const alive = () => {
      try {
        process.kill(child!, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    const orphaned = alive();
    if (orphaned) process.kill(child!, "SIGKILL");
    expect(orphaned).toBe(false);
  });
});

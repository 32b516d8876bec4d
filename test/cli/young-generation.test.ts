// Simulation commands run again in a Node with a larger young generation, once, and only them.

import { describe, expect, it } from "vitest";
import { wantsRestart, YOUNG_GENERATION_FLAG } from "../../cli/young-generation.ts";

describe("young generation restart", () => {
  it("restarts the simulating commands that lack the flag, and nothing else", () => {
    for (const argv of [
      ["sim"],
      ["sweep", "--default"],
      ["sweep-worker"],
      ["bench", "sim"],
      ["bench", "all"],
    ]) {
      expect(wantsRestart(argv, [], undefined)).toBe(true);
    }
    for (const argv of [[], ["check", "t.jsonl"], ["bench", "net"], ["launch"], ["worker"], ["--help"]]) {
      expect(wantsRestart(argv, [], undefined)).toBe(false);
    }
  });

  it("never restarts twice: the flag given to node or in NODE_OPTIONS is enough", () => {
    expect(wantsRestart(["sim"], [YOUNG_GENERATION_FLAG], undefined)).toBe(false);
    expect(wantsRestart(["sim"], ["--max-semi-space-size=16"], undefined)).toBe(false);
    expect(wantsRestart(["sim"], [], "--enable-source-maps --max-semi-space-size=32")).toBe(false);
    expect(wantsRestart(["sim"], ["--enable-source-maps"], "--enable-source-maps")).toBe(true);
  });
});

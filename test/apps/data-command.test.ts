import { describe, expect, it } from "vitest";
import { bundledDatasets } from "../../apps/data/catalog.ts";
import { dataCommand } from "../../cli/commands/data.ts";
import { UsageError } from "../../cli/usage.ts";

describe("ssp data", () => {
  it("reports each bundled dataset's size and licences from the installed packages", () => {
    const bundled = bundledDatasets();
    expect(bundled.map((d) => d.name)).toEqual(["sotu", "ffq", "stopwords-en"]);
    const sotu = bundled[0];
    expect(sotu.bytes).toBeGreaterThan(10 * 2 ** 20);
    expect(sotu.dataLicense).toBe("PDDL-1.0 AND CC0-1.0");
    expect(sotu.contents).toMatch(/^\d+ State of the Union addresses, 1790–\d{4}$/);
    expect(bundled[1].contents).toMatch(/^54 respondents × \d+ columns/);
  });

  it("refuses unknown flags as a usage error", async () => {
    await expect(dataCommand.run(["--bogus"])).rejects.toThrow(UsageError);
  });
});

import { bundledDatasets, fileFormats, generatedDatasets } from "../../apps/data/catalog.ts";
import type { Command } from "../command.ts";
import { parseFlags } from "../usage.ts";

function size(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 10).toFixed(1)} KiB`;
}

export const dataCommand: Command = {
  name: "data",
  summary: "lists the bundled datasets (sizes, licences), the generators and the file formats apps read",
  help: `Usage: ssp data [--json]

Lists the datasets that ship with ssptable's npm dependencies, with their sizes and licences, the seeded
generators each app uses by default, and the file formats the loaders accept (pass them with --data FILE
to 'ssp sim --app …').

Flags:
  --json    print one JSON object on stdout`,
  async run(argv) {
    const parsed = parseFlags("data", argv, { json: { type: "boolean" } });
    const bundled = bundledDatasets();
    if (parsed.values.json === true) {
      process.stdout.write(
        `${JSON.stringify({ bundled, generated: generatedDatasets, formats: fileFormats })}\n`,
      );
      return 0;
    }
    const lines = ["Bundled datasets:"];
    for (const d of bundled) {
      lines.push(`  ${d.name.padEnd(13)} ${d.contents}`);
      lines.push(
        `  ${"".padEnd(13)} ${size(d.bytes)} in ${d.package}@${d.version}; data licence ${d.dataLicense}, package ${d.packageLicense}; used by ${d.usedBy}`,
      );
    }
    lines.push("", "Generated from the run's seed:");
    for (const g of generatedDatasets)
      lines.push(`  ${g.name.padEnd(26)} ${g.usedBy.padEnd(17)} ${g.parameters}`);
    lines.push("", "Files you can bring (--data FILE):");
    for (const f of fileFormats) lines.push(`  ${f.name.padEnd(17)} ${f.usedBy.padEnd(38)} ${f.files}`);
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  },
};

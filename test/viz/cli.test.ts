// `ssp viz` and `ssp trace export` as users run them: the built binary, real files, a real socket on
// 127.0.0.1.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticTrace } from "./synthetic-trace.ts";

const BIN = "dist/ssp.js";
const built = existsSync(BIN) && existsSync("dist/viz.js");
if (!built) console.warn("SKIPPED: the viz CLI tests need dist/ssp.js and dist/viz.js; run 'npm run build'.");

const dir = mkdtempSync(join(tmpdir(), "ssp-viz-cli-"));
const trace = syntheticTrace({ workers: 4, machines: 2, clocks: 4, staleness: 1 });
const tracePath = join(dir, "run.trace.jsonl");
writeFileSync(tracePath, trace.text);
const badPath = join(dir, "bad.jsonl");
writeFileSync(badPath, `${trace.text.split("\n")[0]}\n{"k":"span","w":0}\n`);

function ssp(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000 });
}

describe.skipIf(!built)("ssp viz and ssp trace", () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("viz --out writes one self-contained page with the trace embedded", () => {
    const out = join(dir, "page");
    const run = ssp("viz", tracePath, "--out", out);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(run.stdout.trim()).toBe(join(out, "index.html"));
    expect(html).toContain(
      '<script id="ssp-trace" type="application/x-ndjson" data-source="run.trace.jsonl">',
    );
    expect(html).toContain('"format":"ssptable-trace"');
    expect(html).not.toMatch(/<script[^>]+src=/); // nothing fetched from elsewhere
    expect(html).not.toMatch(/<link[^>]+href=/);
  });

  it("viz serves the page and the trace on 127.0.0.1 and prints the URL", async () => {
    const child = spawn(process.execPath, [BIN, "viz", tracePath, "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("ssp viz printed no URL within 20 s")), 20_000);
      let text = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        text += chunk.toString();
        const match = /http:\/\/127\.0\.0\.1:\d+\//.exec(text);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[0]);
        }
      });
      child.once("exit", (code) => reject(new Error(`ssp viz exited early with ${code}`)));
    });
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toContain('data-trace-url="trace.jsonl"');
    const served = await fetch(new URL("trace.jsonl", url));
    expect(await served.text()).toBe(trace.text);
    expect((await fetch(new URL("nope", url))).status).toBe(404);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("viz reports a bad trace, a missing file and a busy port clearly", async () => {
    const bad = ssp("viz", badPath, "--out", join(dir, "nope"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("is not a valid ssptable trace: line 2: span record needs a numeric t0");
    const missing = ssp("viz", join(dir, "missing.jsonl"));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("no trace at");
    const usage = ssp("viz");
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("name a trace file");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const busyPort = (holder.address() as { port: number }).port;
    const busy = ssp("viz", tracePath, "--port", String(busyPort));
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain(`port ${busyPort} on 127.0.0.1 is in use; pick another with --port N`);
    const port = ssp("viz", tracePath, "--port", "http");
    expect(port.status).toBe(2);
    expect(port.stderr).toContain("--port takes an integer");
  });

  it("trace export --chrome writes Chrome trace events next to the trace, or to --out", () => {
    const run = ssp("trace", "export", "--chrome", tracePath);
    expect(run.status).toBe(0);
    const defaultOut = join(dir, "run.trace.chrome.json");
    expect(run.stdout.trim()).toBe(defaultOut);
    const chrome = JSON.parse(readFileSync(defaultOut, "utf8"));
    expect(chrome.traceEvents.filter((e: { ph: string }) => e.ph === "X").length).toBe(trace.spans);
    const stdout = ssp("trace", "export", "--chrome", tracePath, "--out", "-");
    expect(JSON.parse(stdout.stdout)).toEqual(chrome);
    const noFormat = ssp("trace", "export", tracePath);
    expect(noFormat.status).toBe(2);
    expect(noFormat.stderr).toContain("--chrome");
  });
});

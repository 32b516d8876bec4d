import { describe, expect, it } from "vitest";
import { parseTrace } from "../../core/trace-format.ts";
import { buildPage, embedJsonLines } from "../../viz/page.ts";
import { syntheticTrace } from "./synthetic-trace.ts";

describe("the viewer page", () => {
  it("embeds a trace whose strings contain </script> without ending the script element", () => {
    const trace = syntheticTrace({ workers: 2, machines: 1, clocks: 2, staleness: 0 });
    const hostile = trace.text.replace('"app":"synthetic"', '"app":"</script><script>alert(1)</script><!--"');
    const html = buildPage({ script: "void 0;", traceText: hostile, traceName: "a<b>.jsonl" });
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain('data-source="a&lt;b&gt;.jsonl"');
    const start = html.indexOf('type="application/x-ndjson"');
    const body = html.slice(html.indexOf(">", start) + 1, html.indexOf("</script>", start));
    // What the browser hands to the parser is the same trace, byte for byte once JSON-decoded.
    expect(parseTrace(body)).toEqual(parseTrace(hostile));
    expect(parseTrace(body).header.app).toBe("</script><script>alert(1)</script><!--");
    // Line numbers in error messages count from the trace's first line, not the page's.
    expect(body.startsWith('{"k":"header"')).toBe(true);
  });

  it("escapes '</script' inside the bundled script and points a served page at its trace URL", () => {
    const html = buildPage({ script: 'const s = "</script>";', traceUrl: "trace.jsonl", traceName: "run" });
    expect(html).toContain('const s = "<\\/script>";');
    expect(html).toContain('<body data-trace-url="trace.jsonl" data-trace-name="run">');
    expect(html).not.toContain('id="ssp-trace"');
    expect(embedJsonLines('{"a":"<"}')).toBe('{"a":"\\u003c"}');
  });
});

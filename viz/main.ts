// Browser entry (bundled to dist/viz.js). Finds a trace — embedded in the page by `ssp viz --out`, served
// next to it by `ssp viz`, or chosen by the user with the file picker or drag and drop — and shows it. A
// trace that does not parse shows the parser's line-numbered message on the page, never a blank screen.
// window.__sspViz exposes counts and a few actions for the browser tests.

import { escapeHtml } from "./format.ts";
import type { VizHook } from "./hook.ts";
import { loadTimeline, type TimelineModel } from "./model.ts";
import { TimelineView } from "./view.ts";

const EMPTY_HTML = `<div class="empty">
  <h1>ssptable timeline</h1>
  <p>Open a trace written by <code>ssp sim --trace FILE</code> or the runtime, or drop it anywhere on this page.</p>
</div>`;

const shell = document.createElement("div");
shell.className = "shell";
shell.innerHTML = `<nav class="topbar">
  <span class="brand">ssptable <span class="muted">timeline</span></span>
  <label class="file-button">open trace…<input type="file" id="ssp-file" accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson"></label>
</nav>
<div id="ssp-error" class="error" role="alert" hidden></div>
<main id="ssp-view">${EMPTY_HTML}</main>
<div class="drop-overlay" hidden><div>drop the trace to open it</div></div>`;
document.body.append(shell);
const viewRoot = shell.querySelector<HTMLElement>("#ssp-view")!;
const errorBox = shell.querySelector<HTMLElement>("#ssp-error")!;
const overlay = shell.querySelector<HTMLElement>(".drop-overlay")!;
let view: TimelineView | null = null;
let current: { model: TimelineModel; source: string } | null = null;

const hook: VizHook = {
  state: "empty",
  error: null,
  source: null,
  lanes: 0,
  spans: 0,
  timings: { parseMs: 0, firstRenderMs: 0 },
  stats: () => view?.stats ?? null,
  domain: () => view?.domain() ?? null,
  selection: () => view?.selectedRange() ?? null,
  zoomTo: (t0, t1) => view?.zoomTo(t0, t1),
  select: (t0, t1) => view?.select([t0, t1]),
  setArrows: (on) => view?.setArrows(on),
  pointFor: (w, t) => view?.pointFor(w, t) ?? null,
  loadText: (text, source) => show(text, source),
};
window.__sspViz = hook;

function setState(state: VizHook["state"]): void {
  hook.state = state;
  document.body.dataset.state = state;
}

function showError(message: string, source: string): void {
  errorBox.innerHTML = `<strong>Could not open ${escapeHtml(source)}.</strong> ${escapeHtml(message)}<br><span class="muted">Open another file with the button above or drop it on the page; an ssptable trace is JSON lines starting with a {"k":"header","format":"ssptable-trace",…} record.</span>`;
  errorBox.hidden = false;
  // Never leave an older trace on screen under an error about a newer one.
  view = null;
  current = null;
  viewRoot.innerHTML = EMPTY_HTML;
  hook.error = message;
  setState("error");
}

function show(text: string, source: string): void {
  setState("loading");
  hook.source = source;
  const started = performance.now();
  let model: TimelineModel;
  try {
    model = loadTimeline(text);
  } catch (e) {
    showError((e as Error).message, source);
    return;
  }
  hook.timings.parseMs = performance.now() - started;
  errorBox.hidden = true;
  hook.error = null;
  try {
    const renderStarted = performance.now();
    current = { model, source };
    view = new TimelineView(viewRoot, model, source);
    hook.timings.firstRenderMs = performance.now() - renderStarted;
  } catch (e) {
    showError(`the trace parsed but could not be drawn: ${(e as Error).message}`, source);
    return;
  }
  hook.lanes = model.workers;
  hook.spans = model.spans.t0.length;
  document.title = `${model.header.app} · ssptable timeline`;
  setState("ready");
}

/** A big trace takes a second to parse: say so, and let the browser paint that before starting. */
async function announce(source: string): Promise<void> {
  setState("loading");
  errorBox.hidden = true;
  viewRoot.innerHTML = `<div class="empty"><p>reading ${escapeHtml(source)}…</p></div>`;
  await new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function showFile(file: File): Promise<void> {
  await announce(file.name);
  show(await file.text(), file.name);
}

shell.querySelector<HTMLInputElement>("#ssp-file")!.addEventListener("change", (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file !== undefined) void showFile(file);
});

let dragDepth = 0;
window.addEventListener("dragenter", (event) => {
  event.preventDefault();
  dragDepth++;
  overlay.hidden = false;
});
window.addEventListener("dragover", (event) => event.preventDefault());
window.addEventListener("dragleave", () => {
  dragDepth = Math.max(0, dragDepth - 1);
  if (dragDepth === 0) overlay.hidden = true;
});
window.addEventListener("drop", (event) => {
  event.preventDefault();
  dragDepth = 0;
  overlay.hidden = true;
  const file = event.dataTransfer?.files?.[0];
  if (file !== undefined) void showFile(file);
});

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    if (current === null || view === null) return;
    const domain = view.domain();
    view = new TimelineView(viewRoot, current.model, current.source);
    view.zoomTo(domain[0], domain[1]);
  }, 200);
});

async function start(): Promise<void> {
  const embedded = document.getElementById("ssp-trace");
  if (embedded !== null && embedded.textContent !== null && embedded.textContent.trim() !== "") {
    show(embedded.textContent, embedded.dataset.source ?? "embedded trace");
    return;
  }
  const url = document.body.dataset.traceUrl;
  if (url === undefined || url === "") return;
  const source = document.body.dataset.traceName ?? url;
  await announce(source);
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`);
    show(await response.text(), source);
  } catch (e) {
    showError((e as Error).message, source);
  }
}

setState("empty");
void start();

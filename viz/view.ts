// The whole timeline for one loaded trace: summary header, legend and controls, and the panels on one
// shared time axis. One d3-zoom behaviour on the panels' container drives every panel's x scale; the brush
// on the lanes' time axis selects a range (shaded everywhere, used by the message arrows).

import {
  type ScaleLinear,
  scaleLinear,
  select,
  type ZoomBehavior,
  type ZoomTransform,
  zoom,
  zoomIdentity,
} from "d3";
import { formatCount, formatDuration } from "./format.ts";
import { LanesPanel, type Range } from "./lanes.ts";
import { type LaneLayout, layoutLanes } from "./layout.ts";
import type { TimelineModel } from "./model.ts";
import { ClockPanel, ObjectivePanel, StalenessPanel } from "./panels.ts";
import { summaryHtml } from "./summary.ts";
import { COLORS, MARGIN } from "./theme.ts";

export interface RenderStats {
  renders: number;
  lastRenderMs: number;
  visibleSpans: number;
  arrows: number;
}

const MIN_VISIBLE_NS = 1_000;

export class TimelineView {
  readonly layout: LaneLayout;
  readonly stats: RenderStats = { renders: 0, lastRenderMs: 0, visibleSpans: 0, arrows: 0 };
  private readonly base: ScaleLinear<number, number>;
  private transform: ZoomTransform = zoomIdentity;
  private selection: Range | null = null;
  private arrows = false;
  private readonly lanes: LanesPanel;
  private readonly clocks: ClockPanel;
  private readonly objective: ObjectivePanel;
  private readonly staleness: StalenessPanel;
  private readonly container: HTMLDivElement;
  private readonly zoomBehavior: ZoomBehavior<HTMLDivElement, unknown>;
  private readonly tooltip: HTMLDivElement;
  private readonly selectionNote: HTMLElement;
  private frame = 0;

  constructor(
    private readonly root: HTMLElement,
    private readonly model: TimelineModel,
    source: string,
  ) {
    root.replaceChildren();
    const widthPx = Math.max(820, Math.floor(root.clientWidth));
    const header = document.createElement("header");
    header.className = "summary";
    header.innerHTML = summaryHtml(model, source);
    root.append(header);
    const toolbar = document.createElement("div");
    toolbar.className = "toolbar";
    toolbar.innerHTML = `<div class="legend">
  <span class="legend-item"><span class="swatch compute"></span>compute</span>
  <span class="legend-item"><span class="swatch comm"></span>communication</span>
  <span class="legend-item"><span class="swatch wait"></span>wait (staleness gate)</span>
  <span class="legend-item"><span class="swatch boundary"></span>clock boundary</span>
  <span class="legend-item"><span class="swatch server"></span>server shard clock tick</span>
</div>
<div class="controls">
  <label class="toggle"><input type="checkbox" id="ssp-arrows"> message arrows</label>
  <button type="button" id="ssp-zoom-selection" disabled>zoom to selection</button>
  <button type="button" id="ssp-reset">reset zoom</button>
</div>`;
    root.append(toolbar);
    this.selectionNote = document.createElement("p");
    this.selectionNote.className = "selection-note";
    root.append(this.selectionNote);
    this.container = document.createElement("div");
    this.container.className = "panels";
    this.container.id = "timeline";
    root.append(this.container);
    this.base = scaleLinear()
      .domain([0, model.tEnd])
      .range([MARGIN.left, widthPx - MARGIN.right]);
    this.layout = layoutLanes(model);
    this.clocks = new ClockPanel(this.container, model, widthPx);
    this.lanes = new LanesPanel(model, this.layout, widthPx, (range) => {
      this.selection = range !== null && range[1] > range[0] ? range : null;
      this.updateSelectionNote();
      this.render();
    });
    this.container.append(this.lanes.element);
    this.objective = new ObjectivePanel(this.container, model, widthPx);
    this.staleness = new StalenessPanel(this.container, model, widthPx);
    this.container.dataset.lanes = String(model.workers);
    this.container.dataset.spans = String(model.spans.t0.length);
    const height = this.container.getBoundingClientRect().height || 1000;
    const maxK = Math.max(1, model.tEnd / MIN_VISIBLE_NS);
    this.zoomBehavior = zoom<HTMLDivElement, unknown>()
      .scaleExtent([1, maxK])
      .extent([
        [MARGIN.left, 0],
        [widthPx - MARGIN.right, height],
      ])
      .translateExtent([
        [MARGIN.left, Number.NEGATIVE_INFINITY],
        [widthPx - MARGIN.right, Number.POSITIVE_INFINITY],
      ])
      .filter((event: Event) => {
        // Wheel zooms anywhere over the panels; dragging pans, except on the brush strip.
        const target = event.target as Element | null;
        if (target?.closest(".brush") && event.type !== "wheel") return false;
        return !(event as MouseEvent).button;
      })
      .on("zoom", (event) => {
        this.transform = event.transform;
        this.hideTooltip();
        this.schedule();
      });
    select(this.container).call(this.zoomBehavior).on("dblclick.zoom", null);
    this.tooltip = document.createElement("div");
    this.tooltip.className = "tooltip";
    this.tooltip.hidden = true;
    root.append(this.tooltip);
    const stack = this.lanes.element.querySelector<HTMLElement>(".stack")!;
    stack.addEventListener("mousemove", (event) => {
      if (event.buttons !== 0) return this.hideTooltip();
      const rect = stack.getBoundingClientRect();
      const html = this.lanes.hit(event.clientX - rect.left, event.clientY - rect.top);
      if (html === null) return this.hideTooltip();
      this.showTooltip(html, event.clientX, event.clientY);
    });
    stack.addEventListener("mouseleave", () => this.hideTooltip());
    const arrows = toolbar.querySelector<HTMLInputElement>("#ssp-arrows")!;
    arrows.addEventListener("change", () => {
      this.arrows = arrows.checked;
      this.render();
    });
    toolbar.querySelector("#ssp-reset")!.addEventListener("click", () => this.zoomTo(0, model.tEnd));
    toolbar.querySelector("#ssp-zoom-selection")!.addEventListener("click", () => {
      if (this.selection !== null) this.zoomTo(this.selection[0], this.selection[1]);
    });
    this.updateSelectionNote();
    this.render();
  }

  /** The visible time range (ns). */
  domain(): Range {
    const [a, b] = this.x().domain();
    return [a, b];
  }

  zoomTo(t0: number, t1: number): void {
    const lo = Math.max(0, Math.min(t0, t1));
    const hi = Math.min(this.model.tEnd, Math.max(t0, t1, lo + MIN_VISIBLE_NS));
    const k = (this.base(this.model.tEnd) - this.base(0)) / (this.base(hi) - this.base(lo));
    const tx = MARGIN.left - k * this.base(lo);
    select(this.container).call(this.zoomBehavior.transform, zoomIdentity.translate(tx, 0).scale(k));
    this.render();
  }

  selectedRange(): Range | null {
    return this.selection;
  }

  select(range: Range | null): void {
    this.selection = range;
    this.updateSelectionNote();
    this.render();
  }

  setArrows(on: boolean): void {
    this.arrows = on;
    const box = this.root.querySelector<HTMLInputElement>("#ssp-arrows");
    if (box !== null) box.checked = on;
    this.render();
  }

  pointFor(w: number, t: number): { x: number; y: number } {
    return this.lanes.pointFor(w, t);
  }

  private x(): ScaleLinear<number, number> {
    return this.transform.rescaleX(this.base);
  }

  private schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    if (this.frame !== 0) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    const started = performance.now();
    const x = this.x();
    this.clocks.render(x, this.selection);
    const lanes = this.lanes.render(x, this.selection, this.arrows);
    this.objective.render(x, this.selection);
    this.staleness.render(x, this.selection);
    this.lanes.note.textContent = this.arrows
      ? lanes.arrows < lanes.arrowsAvailable
        ? `showing ${formatCount(lanes.arrows)} of ${formatCount(lanes.arrowsAvailable)} messages sent in the ${this.selection ? "selection" : "visible range"}; select a shorter range for all`
        : `${formatCount(lanes.arrows)} messages sent in the ${this.selection ? "selection" : "visible range"}`
      : `${formatCount(this.model.workers)} lanes grouped by ${this.model.header.host === "sim" ? "machine" : "process"}, ${formatCount(lanes.visibleSpans)} spans in view`;
    this.stats.renders++;
    this.stats.lastRenderMs = performance.now() - started;
    this.stats.visibleSpans = lanes.visibleSpans;
    this.stats.arrows = lanes.arrows;
    const [t0, t1] = x.domain();
    this.container.dataset.domain = `${t0},${t1}`;
  }

  private updateSelectionNote(): void {
    const button = this.root.querySelector<HTMLButtonElement>("#ssp-zoom-selection");
    if (button !== null) button.disabled = this.selection === null;
    if (this.selection === null) {
      this.selectionNote.innerHTML =
        "Scroll to zoom, drag to pan, drag along the workers' time axis to select a range, hover a span for details.";
      return;
    }
    const [a, b] = this.selection;
    const totals = [0, 0, 0];
    const sp = this.model.spans;
    for (let i = 0; i < sp.t0.length; i++) {
      const overlap = Math.min(b, sp.t1[i]) - Math.max(a, sp.t0[i]);
      if (overlap > 0) totals[sp.kind[i]] += overlap;
    }
    const sum = totals[0] + totals[1] + totals[2] || 1;
    const pct = (v: number) => `${((v / sum) * 100).toFixed(1)}%`;
    this.selectionNote.innerHTML = `Selected ${formatDuration(a)} – ${formatDuration(b)} (${formatDuration(b - a)}): compute <b style="color:${COLORS.compute}">${pct(totals[0])}</b>, wait <b style="color:${COLORS.wait}">${pct(totals[1])}</b>, communication <b style="color:${COLORS.comm}">${pct(totals[2])}</b> of worker time.`;
  }

  private showTooltip(html: string, clientX: number, clientY: number): void {
    const tip = this.tooltip;
    tip.innerHTML = html;
    tip.hidden = false;
    const { width, height } = tip.getBoundingClientRect();
    const left = clientX + 16 + width > window.innerWidth ? clientX - 16 - width : clientX + 16;
    const top = clientY + 16 + height > window.innerHeight ? clientY - 16 - height : clientY + 16;
    tip.style.left = `${Math.max(4, left)}px`;
    tip.style.top = `${Math.max(4, top)}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }
}

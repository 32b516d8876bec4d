// Opens a report in Chromium and lists what a reader would trip over: SVG that is not well-formed XML,
// labels that overlap or stick out of their figure, script errors, and any request leaving the file.

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";

export interface PageProblems {
  found: string[];
  figures: number;
  tableRows: number;
  errors: string[];
  externalRequests: string[];
}

export async function inspectReport(page: Page, htmlPath: string): Promise<PageProblems> {
  const requests: string[] = [];
  const errors: string[] = [];
  const onRequest = (r: { url(): string }) => requests.push(r.url());
  const onConsole = (m: { type(): string; text(): string }) => {
    if (m.type() === "error") errors.push(m.text());
  };
  const onError = (e: Error) => errors.push(e.message);
  page.on("request", onRequest);
  page.on("console", onConsole);
  page.on("pageerror", onError);
  try {
    await page.goto(pathToFileURL(resolve(htmlPath)).href);
    const inPage = await page.evaluate(() => {
      const found: string[] = [];
      const svgs = Array.from(document.querySelectorAll("svg"));
      svgs.forEach((svg, i) => {
        const name = svg.closest("figure")?.getAttribute("data-figure") ?? `figure ${i}`;
        const parsed = new DOMParser().parseFromString(svg.outerHTML, "image/svg+xml");
        if (parsed.querySelector("parsererror")) found.push(`${name}: not well-formed XML`);
        const frame = svg.getBoundingClientRect();
        const boxes = Array.from(svg.querySelectorAll("text"))
          .map((t) => ({ text: t.textContent ?? "", box: t.getBoundingClientRect() }))
          .filter((t) => t.text.trim() !== "" && t.box.width > 0);
        for (const { text, box } of boxes) {
          const out =
            box.left < frame.left - 1 ||
            box.right > frame.right + 1 ||
            box.top < frame.top - 1 ||
            box.bottom > frame.bottom + 1;
          if (out) found.push(`${name}: "${text}" sticks out of the figure`);
        }
        for (let a = 0; a < boxes.length; a++) {
          for (let b = a + 1; b < boxes.length; b++) {
            const p = boxes[a].box;
            const q = boxes[b].box;
            // Glyph boxes include line spacing; 1.5 px of touching is not an overlap a reader sees.
            const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
            const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            if (dx > 1.5 && dy > 1.5) found.push(`${name}: "${boxes[a].text}" overlaps "${boxes[b].text}"`);
          }
        }
      });
      return {
        found,
        figures: svgs.length,
        tableRows: document.querySelectorAll("table.time-to-target tbody tr").length,
      };
    });
    return { ...inPage, errors, externalRequests: requests.filter((r) => !r.startsWith("file://")) };
  } finally {
    page.off("request", onRequest);
    page.off("console", onConsole);
    page.off("pageerror", onError);
  }
}

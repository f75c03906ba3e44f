/**
 * An element as a file: HTML, or standalone SVG (with Plot's HTML legend
 * redrawn as SVG), for `deno task plot` and saved figures.
 *
 * @module
 */
import { type PlotElement } from "./plot.ts";
import { escape } from "@std/html";

/** The element's HTML, for embedding in a page or a notebook output. */
export function toHtml(element: PlotElement): string {
  return element.outerHTML;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/**
 * A standalone SVG file for a plot. A bare `<svg>` gets its namespace; a
 * `<figure>` (Plot wraps the plot in one when it has a legend or a title) is
 * redrawn as one SVG: the title, the legend swatches as SVG rects and text,
 * and the plot's own `<svg>` below them.
 */
export function toSvg(element: PlotElement): string {
  const tag = element.tagName.toLowerCase();
  if (tag === "svg") return withNamespace(element.outerHTML);
  const parts: string[] = [];
  let y = 0;
  let width = 0;
  for (const child of Array.from(element.children)) {
    const name = child.tagName.toLowerCase();
    const cls = child.getAttribute("class") ?? "";
    if (name === "svg") {
      const w = Number(child.getAttribute("width") ?? 640);
      const h = Number(child.getAttribute("height") ?? 400);
      parts.push(child.outerHTML.replace(/^<svg/, `<svg x="0" y="${y}"`));
      y += h;
      width = Math.max(width, w);
    } else if (cls.includes("swatches")) {
      let x = 8;
      const row = y + 8;
      for (const swatch of Array.from(child.querySelectorAll("span"))) {
        const fill = swatch.querySelector("svg")?.getAttribute("fill") ?? "currentColor";
        const label = (swatch.textContent ?? "").trim();
        parts.push(
          `<rect x="${x}" y="${row}" width="15" height="15" fill="${escape(fill)}"/>` +
            `<text x="${x + 20}" y="${row + 11.5}" font-size="10">${escape(label)}</text>`,
        );
        x += 20 + 6.5 * label.length + 16;
      }
      width = Math.max(width, x);
      y += 33;
    } else if (["h2", "h3", "figcaption"].includes(name)) {
      const size = name === "h2" ? 16 : 12;
      parts.push(
        `<text x="8" y="${y + size + 4}" font-size="${size}"${
          name === "h2" ? ' font-weight="bold"' : ""
        }>${escape((child.textContent ?? "").trim())}</text>`,
      );
      y += size + 12;
    }
  }
  if (parts.length === 0) {
    throw new TypeError(`toSvg(): expected an <svg> or a Plot <figure>, found <${tag}>`);
  }
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" ` +
    `font-family="system-ui, sans-serif" fill="currentColor" style="background: white">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}

function withNamespace(svg: string): string {
  return (svg.includes("xmlns=") ? svg : svg.replace(/^<svg/, `<svg xmlns="${SVG_NS}"`)) + "\n";
}

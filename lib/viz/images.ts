/**
 * Digits and PNGs as elements: digit grids, PNG images, and elements side by
 * side. Images are PNG data URLs placed with Plot's `image` mark or an
 * `<img>`: Plot's `raster` mark needs a canvas, which Deno does not have.
 *
 * @module
 */
import { IMAGE_SIZE } from "../infogan/generator.ts";
import { encodePng } from "./png.ts";
import { tile } from "../infogan/sample.ts";
import { createDocument, type PlotDocument, type PlotElement } from "./plot.ts";

/** Options for {@linkcode digitGrid}. */
export interface DigitGridOptions {
  /** Images per row. */
  cols: number;
  /** Rows (default: as many as the images need; missing cells are black). */
  rows?: number;
  /** Screen pixels per image pixel (default 2). */
  scale?: number;
  /** A caption under the grid. */
  caption?: string;
  /** The document to build in; a fresh linkedom document by default. */
  document?: PlotDocument;
}

/**
 * A grid of 28×28 digits as one `<img>` of a PNG (inside a `<figure>` with a
 * `<figcaption>` when `caption` is given). `images` is n·28·28 values: floats
 * in [0, 1] (generator output) or bytes 0..255 (the MNIST dataset).
 */
export function digitGrid(
  images: Float32Array | Uint8Array,
  options: DigitGridOptions,
): PlotElement {
  const px = IMAGE_SIZE * IMAGE_SIZE;
  if (images.length % px !== 0 || images.length === 0) {
    throw new RangeError(
      `digitGrid(): expected a positive multiple of ${px} values (28×28 images), found ${images.length}`,
    );
  }
  const n = images.length / px;
  const cols = options.cols;
  if (!Number.isInteger(cols) || cols < 1) {
    throw new RangeError(`digitGrid(): expected cols to be a positive integer, found ${cols}`);
  }
  const rows = options.rows ?? Math.ceil(n / cols);
  const floats = new Float32Array(rows * cols * px);
  const count = Math.min(n, rows * cols);
  const scale = images instanceof Uint8Array ? 1 / 255 : 1;
  for (let i = 0; i < count * px; i++) floats[i] = images[i] * scale;
  const grid = tile(floats, { rows, cols });
  return pngImage(encodePng(grid.pixels, grid), {
    width: grid.width,
    height: grid.height,
    scale: options.scale,
    caption: options.caption,
    document: options.document,
  });
}

/**
 * An `<img>` of PNG bytes (for example a sample grid a training run wrote),
 * drawn at `scale` screen pixels per pixel without smoothing.
 */
export function pngImage(
  png: Uint8Array,
  options: {
    width: number;
    height: number;
    scale?: number;
    caption?: string;
    document?: PlotDocument;
  },
): PlotElement {
  const document = options.document ?? createDocument();
  const scale = options.scale ?? 2;
  const img = document.createElement("img");
  img.setAttribute("src", pngDataUrl(png));
  img.setAttribute("width", String(Math.round(options.width * scale)));
  img.setAttribute("height", String(Math.round(options.height * scale)));
  img.setAttribute("alt", options.caption ?? "digits");
  img.setAttribute("style", "image-rendering: pixelated; max-width: 100%; height: auto;");
  if (options.caption === undefined) return img;
  const figure = document.createElement("figure");
  figure.setAttribute("style", "margin: 0;");
  const caption = document.createElement("figcaption");
  caption.textContent = options.caption;
  caption.setAttribute("style", "font: 12px system-ui, sans-serif;");
  figure.appendChild(img);
  figure.appendChild(caption);
  return figure;
}

/** Elements side by side (wrapping on narrow screens), top-aligned. */
export function sideBySide(
  elements: readonly PlotElement[],
  options: { gap?: number; document?: PlotDocument } = {},
): PlotElement {
  const document = options.document ?? createDocument();
  const div = document.createElement("div");
  div.setAttribute(
    "style",
    `display: flex; flex-wrap: wrap; gap: ${options.gap ?? 16}px; align-items: flex-start;`,
  );
  // Parse each element into this document: linkedom nodes stay in their own.
  for (const el of elements) div.insertAdjacentHTML("beforeend", el.outerHTML);
  return div;
}

/** PNG bytes as a `data:image/png;base64,…` URL. */
export function pngDataUrl(png: Uint8Array): string {
  return "data:image/png;base64," + png.toBase64();
}

/** One 28×28 image in [0, 1] as a PNG data URL (white digit on black, like MNIST). */
export function imageDataUrl(image: Float32Array): string {
  const bytes = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) {
    bytes[i] = Math.max(0, Math.min(255, Math.round(image[i] * 255)));
  }
  return pngDataUrl(encodePng(bytes, { width: IMAGE_SIZE, height: IMAGE_SIZE }));
}

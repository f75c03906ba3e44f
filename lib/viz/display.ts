/**
 * Showing elements in a notebook cell.
 *
 * Displaying in the Deno Jupyter kernel (Deno 2.9.6): a cell's last
 * expression is rendered through `Deno.jupyter.format`, which turns any object
 * with an `outerHTML` into `text/html` (or `image/svg+xml` when it starts
 * with `<svg`, which JupyterLab then shows as an `<img>`). To control the MIME
 * type, and to update a display in place, {@linkcode show} calls
 * `Deno.jupyter.display(bundle, { raw: true, display_id, update })`: `raw`
 * sends the bundle as is (without it a plain object is printed as text), and
 * `update: true` replaces an earlier output with the same `display_id`.
 *
 * @module
 */
import { type PlotElement } from "./plot.ts";
import { escape } from "@std/html";
import { displayParts } from "./display_parts.ts";

/** A Jupyter MIME bundle for an element: its HTML plus a plain-text stand-in. */
export interface MediaBundle {
  "text/html": string;
  "text/plain": string;
  [mime: string]: string;
}

/**
 * HTML to display as it is, scripts included (a trusted notebook output runs
 * them), with the text shown where HTML is not.
 */
export interface RawHtml {
  rawHtml: string;
  text: string;
}

/** One thing {@linkcode show} displays. */
export type ShowItem = PlotElement | string | RawHtml;

/** Anything {@linkcode show} can display: elements, strings shown as escaped text, raw HTML. */
export type Showable = ShowItem | readonly ShowItem[];

/** The MIME bundle of an element, or of several stacked vertically. */
export function displayBundle(content: Showable): MediaBundle {
  const items: readonly ShowItem[] = Array.isArray(content)
    ? content as readonly ShowItem[]
    : [content as ShowItem];
  const html = items.map((item) =>
    typeof item === "string"
      ? `<pre style="margin: 0 0 4px 0">${escape(item)}</pre>`
      : "rawHtml" in item
      ? item.rawHtml
      : item.outerHTML
  ).join("\n");
  const text = items.map((item) =>
    typeof item === "string"
      ? item
      : "rawHtml" in item
      ? item.text
      : `[${item.tagName.toLowerCase()}: open in JupyterLab to see it]`
  ).join("\n");
  return { "text/html": `<div>${html}</div>`, "text/plain": text };
}

/**
 * An object a notebook cell can end with: the Deno kernel renders it as the
 * element's HTML (through `Symbol.for("Jupyter.display")`).
 */
export function displayable(content: Showable): { [key: symbol]: () => MediaBundle } {
  return { [Symbol.for("Jupyter.display")]: () => displayBundle(content) };
}

/** Options for {@linkcode show}. */
export interface ShowOptions {
  /** Names the output so that later calls can replace it. */
  id?: string;
  /** Replace the output shown earlier under `id` instead of adding one. */
  update?: boolean;
}

interface JupyterApi {
  display(
    obj: unknown,
    options?: { raw?: boolean; update?: boolean; display_id?: string },
  ): Promise<void>;
}

/**
 * Displays an element (or several, or text) in the Deno Jupyter kernel, as
 * `text/html`. With `{ id, update: true }` it replaces the earlier output
 * shown under `id`, which is how the training display updates in place.
 * Outside a kernel (a plain `deno run`) it prints the plain-text stand-in.
 */
export async function show(content: Showable, options: ShowOptions = {}): Promise<void> {
  const bundle = displayBundle(content);
  const jupyter = jupyterApi();
  if (!jupyter) {
    console.log(bundle["text/plain"]);
    return;
  }
  // A large bundle goes as parts of one display, each replacing the last
  // (lib/viz/display_parts.ts says why); a display id is needed to chain them.
  const key = crypto.randomUUID();
  const parts = displayParts(bundle, key);
  const id = options.id ?? (parts.length > 1 ? `infogan-${key}` : undefined);
  for (const [i, part] of parts.entries()) {
    await jupyter.display(part, {
      raw: true,
      update: i > 0 || (options.update ?? false),
      display_id: id,
    });
    // The kernel forwards displays to the frontend on another task; without a
    // pause, a cell that ends right after can report "idle" first, and Jupyter
    // then drops the display (measured: about 1 in 40 quick cells, Deno 2.9.6).
    // Between parts, the pause lets the reader keep up.
    await new Promise((resolve) => setTimeout(resolve, SHOW_FLUSH_MS));
  }
}

/** Milliseconds {@linkcode show} waits for the kernel to send a display. */
const SHOW_FLUSH_MS = 50;

/** `Deno.jupyter` inside the kernel; null elsewhere (its getter throws outside `deno jupyter`). */
function jupyterApi(): JupyterApi | null {
  try {
    return (Deno as unknown as { jupyter?: JupyterApi }).jupyter ?? null;
  } catch {
    return null;
  }
}

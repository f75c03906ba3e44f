/**
 * Splitting a large display into messages the Deno kernel sends intact.
 *
 * Deno 2.9.6's kernel publishes outputs on a ZeroMQ PUB socket that never
 * waits for a slow reader: when JupyterLab's server reads slower than the
 * kernel writes (a loaded machine), a message of several MB can reach it with
 * its frames cut, after which the server drops that kernel's outputs, and the
 * running cell never finishes in the browser. Many small messages sent
 * with pauses in between avoid it (measured: a 20 MB display whose reader
 * stalls for 1.5 s at a time broke the stream on the third try; the same 20 MB
 * in 256 KB parts 20 ms apart did not, though under those stalls the kernel
 * dropped some whole parts, which the assembling part then reports).
 *
 * {@linkcode displayParts} turns one HTML bundle into a sequence of bundles
 * for the same display id: parts that each store a slice of the HTML in the
 * page, then one that joins them and inserts the whole, scripts included
 * (`createContextualFragment` runs the scripts it inserts; JupyterLab runs the
 * scripts of a trusted output, which outputs made in the session are).
 *
 * @module
 */
import type { MediaBundle } from "./display.ts";

/** The page-wide object the parts are stored in, keyed by display. */
const STORE = "__infoganDisplayParts";

/** HTML characters in one part; bundles up to this size are sent as they are. */
const PART_CHARS = 256 * 1024;

/**
 * The bundles to send, in order, for `bundle`: `[bundle]` when its HTML fits
 * in one part, else one bundle per slice of `partChars` characters and a last
 * one that assembles them. `key` names this display's parts in the page (unique
 * per call); the text stand-in goes with the last bundle.
 */
export function displayParts(
  bundle: MediaBundle,
  key: string,
  partChars: number = PART_CHARS,
): MediaBundle[] {
  const html = bundle["text/html"];
  if (html.length <= partChars) return [bundle];
  const count = Math.ceil(html.length / partChars);
  const parts: MediaBundle[] = [];
  const name = JSON.stringify(key);
  for (let i = 0; i < count; i++) {
    const slice = scriptLiteral(html.slice(i * partChars, (i + 1) * partChars));
    parts.push({
      "text/html":
        `<script>((globalThis.${STORE} ??= {})[${name}] ??= {})[${i}] = ${slice};</script>`,
      "text/plain": `[part ${i + 1} of ${count + 1}]`,
    });
  }
  parts.push({
    "text/html": `<div>(run the cell to show this output)<script>(() => {
  const host = document.currentScript.parentElement;
  const parts = (globalThis.${STORE} ?? {})[${name}] ?? {};
  const arrived = Object.keys(parts).length;
  if (arrived !== ${count}) {
    host.textContent = "only " + arrived + " of ${count} parts of this output arrived; run the cell again";
    return;
  }
  delete globalThis.${STORE}[${name}];
  const html = Array.from({ length: ${count} }, (_, i) => parts[i]).join("");
  host.replaceChildren(document.createRange().createContextualFragment(html));
})();</script></div>`,
    "text/plain": bundle["text/plain"],
  });
  return parts;
}

/** A JavaScript string literal for `text` that cannot end the `<script>` it sits in. */
function scriptLiteral(text: string): string {
  return JSON.stringify(text).replaceAll("<", "\\u003c");
}

/**
 * The latent explorer: one self-contained HTML page that runs a trained
 * generator in the browser. tfjs is inlined from node_modules and the
 * generator's weights are inlined as float16, so the page works offline and
 * from `file://`. A row of category buttons, a slider per continuous code
 * (-2..2, step 0.05), a "new z" button, the digit, and two strips with the
 * same z across each code's range; every slider `input` event redraws.
 *
 * Each explorer registers itself as `window.explorer` (the latest one) and
 * on its root element as `.explorer`, for tests: `ready` (a promise),
 * `setLatent(z, category, c1, c2)` and `pixels()` (the 28×28 grey bytes read
 * back from the main canvas).
 *
 * @module
 */
import { escape } from "@std/html";
import type { InfoGanConfig } from "../infogan/config.ts";
import type { Evaluation } from "../eval/evaluate.ts";
import { classNames } from "../eval/class_names.ts";
import type { RawHtml } from "./display.ts";

/** A generator serialized as tfjs model files (float16 keeps the page small). */
export interface SerializedModel {
  /** `model.json`: the topology and the weights manifest. */
  json: Uint8Array;
  /** The weight bytes the manifest describes. */
  weights: Uint8Array;
}

/** What the page runs and what it says about the model. */
export interface ExplorerOptions {
  /** Shown as the page's heading. */
  title: string;
  /** The model's `evaluate` result, to label the codes and categories; null for none. */
  evaluation: Evaluation | null;
  /** The source of tfjs's browser build, inlined so the page works offline. */
  tfjs: string;
}

/** A category button: which category it sets, and its text. */
interface CategoryButton {
  category: number;
  label: string;
}

/**
 * The labels of the two sliders, from what an evaluation measured: the
 * measure each code moves most, then the other, e.g.
 * "c1 — slant (ρ −1.00; width −0.27)"; "c1", "c2" without an evaluation.
 * Each code is labelled on its own, so two codes that both move slant say so.
 */
export function codeLabels(evaluation: Evaluation | null): [string, string] {
  if (!evaluation) return ["c1", "c2"];
  const fmt = (rho: number) => rho.toFixed(2).replace("-", "−");
  const label = (code: 1 | 2) => {
    const { slant, width } = evaluation.codes[code === 1 ? "code1" : "code2"];
    const [first, second] = Math.abs(slant) >= Math.abs(width)
      ? [["slant", slant], ["width", width]] as const
      : [["width", width], ["slant", slant]] as const;
    return `c${code} — ${first[0]} (ρ ${fmt(first[1])}; ${second[0]} ${fmt(second[1])})`;
  };
  return [label(1), label(2)];
}

/**
 * The category buttons, ordered by the class they draw: "3" for a supervised
 * MNIST run (category k is digit k), "7 → 3" for an unsupervised one whose
 * evaluation maps category 7 to digit 3, and "7" when there is no mapping.
 * On a dataset with class names ({@linkcode classNames}) the class is named:
 * "5 Sandal", "7 → Sandal".
 */
export function categoryButtons(
  config: InfoGanConfig,
  evaluation: Evaluation | null,
): CategoryButton[] {
  const k = config.numLabels;
  const names = classNames(config.data);
  const name = (cls: number) => names?.[cls] ?? String(cls);
  const all = Array.from({ length: k }, (_, c) => c);
  if (config.supervisedLabels || !evaluation) {
    const label = (c: number) => names && config.supervisedLabels ? `${c} ${name(c)}` : String(c);
    return all.map((c) => ({ category: c, label: label(c) }));
  }
  const mapping = evaluation.generated.mapping;
  return all.sort((a, b) => mapping[a] - mapping[b])
    .map((c) => ({ category: c, label: `${c} → ${name(mapping[c])}` }));
}

/**
 * The explorer as an HTML fragment: its elements, its style (scoped to the
 * fragment) and its scripts, tfjs included. It runs wherever scripts in
 * HTML run: a page of its own ({@linkcode explorerHtml}), or a trusted
 * notebook output. Several fragments can share a page.
 */
export function explorerFragment(
  files: SerializedModel,
  config: InfoGanConfig,
  options: ExplorerOptions,
): string {
  const model = JSON.parse(new TextDecoder().decode(files.json));
  const id = `infogan-explorer-${crypto.randomUUID().slice(0, 8)}`;
  const page = {
    id,
    latentSize: config.latentSize,
    numLabels: config.numLabels,
    buttons: categoryButtons(config, options.evaluation),
    codeLabels: codeLabels(options.evaluation),
    topology: model.modelTopology,
    specs: model.weightsManifest[0].weights,
    weights: files.weights.toBase64(),
  };
  // `</` cannot end the script early once every "<" in the JSON is escaped.
  const data = JSON.stringify(page).replaceAll("<", "\\u003c");
  return `<div id="${id}" class="infogan-explorer">
<style>${STYLE.replaceAll("#ROOT", `#${id}`)}</style>
<h1>${escape(options.title)}</h1>
<div data-part="status">loading the generator…</div>
<div data-part="categories" role="group" aria-label="category"></div>
<div class="row">
  <canvas data-part="digit" width="224" height="224" aria-label="generated digit"></canvas>
  <div class="controls">
    <label><span data-part="label1"></span><input data-part="c1" type="range" min="-2" max="2" step="0.05" value="0"><output data-part="v1">0</output></label>
    <label><span data-part="label2"></span><input data-part="c2" type="range" min="-2" max="2" step="0.05" value="0"><output data-part="v2">0</output></label>
    <button data-part="newz" type="button">new z</button>
  </div>
</div>
<div class="strip"><span>c1 from −2 to 2</span><canvas data-part="strip1" width="504" height="56"></canvas></div>
<div class="strip"><span>c2 from −2 to 2</span><canvas data-part="strip2" width="504" height="56"></canvas></div>
<script>${options.tfjs.replaceAll("</script", "<\\/script")}</script>
<script>${PAGE_SCRIPT.replace("PAGE_DATA", () => data)}</script>
</div>`;
}

/**
 * The explorer for a notebook cell, to pass to `show`. JupyterLab runs its
 * scripts, since outputs made in the running session are trusted; a viewer
 * that strips scripts shows the fragment without a digit.
 */
export function explorerOutput(
  files: SerializedModel,
  config: InfoGanConfig,
  options: ExplorerOptions,
): RawHtml {
  return {
    rawHtml: explorerFragment(files, config, options),
    text: `[${options.title}: open in JupyterLab to drag the codes]`,
  };
}

/** The explorer as a page of its own, for `deno task explore`. */
export function explorerHtml(
  files: SerializedModel,
  config: InfoGanConfig,
  options: ExplorerOptions,
): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(options.title)}</title>
<style>body { margin: 16px; }</style>
</head>
<body>
${explorerFragment(files, config, options)}
</body>
</html>
`;
}

const STYLE = `
#ROOT { font: 14px system-ui, sans-serif; color: #111; }
#ROOT h1 { font-size: 18px; margin: 0 0 8px; }
#ROOT [data-part="status"] { color: #555; margin-bottom: 8px; }
#ROOT [data-part="categories"] button { min-width: 44px; margin: 0 4px 4px 0; padding: 4px 6px; }
#ROOT [data-part="categories"] button[aria-pressed="true"] { background: #2a6fb0; color: white; }
#ROOT .row { display: flex; gap: 16px; align-items: flex-start; }
#ROOT canvas { image-rendering: pixelated; background: black; }
#ROOT .controls label { display: block; margin-bottom: 10px; }
#ROOT .controls span { display: block; }
#ROOT .controls input { width: 260px; vertical-align: middle; }
#ROOT .strip { margin-top: 10px; }
#ROOT .strip span { display: block; color: #555; }
`;

/** The page's own script: plain JavaScript, run after tfjs and PAGE are defined. */
const PAGE_SCRIPT = `
"use strict";
(() => {
  const PAGE = PAGE_DATA;
  const SIDE = 28;
  const STRIP = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];
  const root = document.getElementById(PAGE.id);
  const $ = (part) => root.querySelector('[data-part="' + part + '"]');
  let seed = 1;
  // mulberry32: the page's own seeded source for z ("new z" advances it).
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const state = { z: null, category: PAGE.buttons[0].category, c1: 0, c2: 0 };
  const drawZ = () => Float32Array.from({ length: PAGE.latentSize }, () => 2 * random() - 1);
  const toBytes = (b64) => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  let model = null;

  // Rows of [z, one-hot category, c1, c2] → 28×28 images in [0, 1].
  const generate = (rows) => tf.tidy(() => {
    const n = rows.length;
    const z = tf.tensor2d(rows.flatMap((r) => Array.from(r.z)), [n, PAGE.latentSize]);
    const label = tf.oneHot(tf.tensor1d(rows.map((r) => r.category), "int32"), PAGE.numLabels)
      .toFloat();
    const c1 = tf.tensor2d(rows.map((r) => r.c1), [n, 1]);
    const c2 = tf.tensor2d(rows.map((r) => r.c2), [n, 1]);
    return model.predict([z, label, c1, c2]).dataSync();
  });
  const paint = (canvas, images, count) => {
    const ctx = canvas.getContext("2d");
    const cell = canvas.height;
    const image = ctx.createImageData(SIDE, SIDE);
    const tmp = document.createElement("canvas");
    tmp.width = tmp.height = SIDE;
    ctx.imageSmoothingEnabled = false;
    for (let i = 0; i < count; i++) {
      for (let p = 0; p < SIDE * SIDE; p++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, images[i * SIDE * SIDE + p])));
        image.data.set([v, v, v, 255], 4 * p);
      }
      tmp.getContext("2d").putImageData(image, 0, 0);
      ctx.drawImage(tmp, i * cell, 0, cell, cell);
    }
  };
  const render = () => {
    if (!model) return;
    $("v1").value = state.c1.toFixed(2);
    $("v2").value = state.c2.toFixed(2);
    paint($("digit"), generate([state]), 1);
    const row = (code) => STRIP.map((v) => ({ ...state, [code]: v }));
    paint($("strip1"), generate(row("c1")), STRIP.length);
    paint($("strip2"), generate(row("c2")), STRIP.length);
    for (const b of $("categories").querySelectorAll("button")) {
      b.setAttribute("aria-pressed", String(Number(b.dataset.category) === state.category));
    }
  };
  for (const b of PAGE.buttons) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = b.label;
    button.dataset.category = String(b.category);
    button.addEventListener("click", () => { state.category = b.category; render(); });
    $("categories").append(button);
  }
  $("label1").textContent = PAGE.codeLabels[0];
  $("label2").textContent = PAGE.codeLabels[1];
  $("c1").addEventListener("input", (e) => { state.c1 = Number(e.target.value); render(); });
  $("c2").addEventListener("input", (e) => { state.c2 = Number(e.target.value); render(); });
  $("newz").addEventListener("click", () => { state.z = drawZ(); render(); });
  state.z = drawZ();

  const ready = (async () => {
    await tf.setBackend("cpu");
    const weightData = toBytes(PAGE.weights).buffer;
    model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: PAGE.topology,
      weightSpecs: PAGE.specs,
      weightData,
    }));
    $("status").textContent = "drag a slider or pick a category";
    render();
  })();
  window.explorer = root.explorer = {
    ready,
    setLatent(z, category, c1, c2) {
      Object.assign(state, { z: Float32Array.from(z), category, c1, c2 });
      $("c1").value = String(c1);
      $("c2").value = String(c2);
      render();
    },
    pixels() {
      const canvas = $("digit");
      const scale = canvas.width / SIDE;
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      const out = [];
      for (let y = 0; y < SIDE; y++) {
        for (let x = 0; x < SIDE; x++) {
          const px = Math.floor((x + 0.5) * scale), py = Math.floor((y + 0.5) * scale);
          out.push(data[4 * (py * canvas.width + px)]);
        }
      }
      return out;
    },
  };
})();
`;

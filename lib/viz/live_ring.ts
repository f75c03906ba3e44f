/**
 * The toy's live display: while G trains, the same fixed latents are drawn
 * again every `sampleEvery` steps and shown over the real points, coloured by
 * category, beside L_I against H(c) = ln k, updated in place.
 *
 * @module
 */
import type { Metrics, TrainCallbacks } from "../infogan/loop.ts";
import { drawLatent, type LatentBatch } from "../infogan/latent.ts";
import { categoricalEntropy } from "../infogan/losses.ts";
import { Random } from "../infogan/random.ts";
import { predict } from "../infogan/sample.ts";
import type { TrainState } from "../infogan/state.ts";
import { show } from "./display.ts";
import { ringScatter } from "./ring_plots.ts";
import { miBoundPlot } from "./training_plots.ts";

/** Options for {@linkcode LiveRing}. */
export interface LiveRingOptions {
  /** The display's id; one live display per id. */
  id: string;
  /** The ring the real points come from (`data/ring.ts`). */
  ring: Parameters<typeof ringScatter>[0]["ring"];
  /** Real points to draw under G's (x, y interleaved). */
  real: Float32Array;
  /** A heading for the run. */
  title: string;
  /** Generated points per redraw (default 800). */
  points?: number;
}

/** A live scatter of a toy run; pass `callbacks()` to `train()`. */
export class LiveRing {
  readonly #options: LiveRingOptions;
  readonly history: Metrics[] = [];
  #latent: LatentBatch | null = null;
  #shown = false;

  constructor(options: LiveRingOptions) {
    this.#options = options;
  }

  /** The loop's callbacks: keep the metrics, redraw at every sample step. */
  callbacks(): TrainCallbacks {
    return {
      onMetrics: (m) => {
        this.history.push(m);
      },
      onSample: (state) => this.redraw(state),
    };
  }

  /** Draws G's points for the fixed latents now, with the L_I curve so far. */
  async redraw(state: TrainState): Promise<void> {
    const { config } = state;
    const n = this.#options.points ?? 800;
    this.#latent ??= drawLatent(new Random(config.seed + 1), config, { n });
    const points = await predict(state.generator, config, this.#latent);
    const last = this.history.at(-1);
    const h = categoricalEntropy(config.numLabels);
    const status = `${this.#options.title}: step ${state.step}/${config.steps}` +
      (last
        ? ` · L_I ${last.li.toFixed(2)} of H(c) = ln ${config.numLabels} ≈ ${h.toFixed(2)}`
        : "");
    const content = [
      status,
      ringScatter({
        ring: this.#options.ring,
        points,
        categories: this.#latent.labels,
        real: this.#options.real,
      }, { k: config.numLabels, title: `step ${state.step}` }),
      ...(this.history.length
        ? [miBoundPlot([{ name: this.#options.title, metrics: this.history }], {
          numLabels: config.numLabels,
          width: 340,
          height: 240,
        })]
        : []),
    ];
    await show(content, { id: this.#options.id, update: this.#shown });
    this.#shown = true;
  }
}

/**
 * A training display that updates in place in the Deno kernel while a run
 * trains: status line, loss curves so far and the newest sample grid.
 *
 * @module
 */
import { pngSize } from "./png.ts";
import { formatTime, rateTracker } from "../viz/progress.ts";
import { categoricalEntropy } from "../infogan/losses.ts";
import { pngImage } from "../viz/images.ts";
import { lossCurves, type MetricTerm } from "../viz/training_plots.ts";
import { type PlotElement } from "../viz/plot.ts";
import { show } from "../viz/display.ts";
import { type Metrics, type TrainCallbacks } from "../infogan/loop.ts";

/** Options for {@linkcode LiveTraining}. */
export interface LiveTrainingOptions {
  /** The display's id; one live display per id. */
  id: string;
  /** The step training runs to. */
  total: number;
  /** Categories of the label code, for H(c) = ln k in the status line (default 10). */
  numLabels?: number;
  /** Metrics logged so far; new ones are appended to this array. */
  history: Metrics[];
  /** Redraw the status line and loss curves every this many steps (default 50). */
  every?: number;
  /** A heading above the loss curves. */
  title?: string;
  /** The PNG bytes of the sample grid written at `step`, to show the newest one. */
  samplePng?: (step: number) => Promise<Uint8Array>;
  /** Loss terms to plot (default d_loss, g_loss, g_label). */
  terms?: readonly MetricTerm[];
}

/**
 * A training display that updates in place in the Deno kernel: a status
 * line (step, steps/s, ETA, losses, L_I against H(c)), the loss curves so far
 * and the newest sample grid. It redraws when metrics arrive at least `every`
 * steps after the last redraw, at the last step, and whenever a sample grid
 * is written; a plain `deno run` gets one text line per redraw.
 */
export class LiveTraining {
  readonly #options: LiveTrainingOptions;
  #shown = false;
  #speed: (m: Metrics) => { rate: number; eta: number };
  #rate = { rate: NaN, eta: NaN };
  #drawnAt = -Infinity;
  #sample: PlotElement | null = null;

  constructor(options: LiveTrainingOptions) {
    this.#options = options;
    this.#speed = rateTracker(options.total);
  }

  /** The train-loop callbacks that feed this display (all awaited by the loop). */
  callbacks(): TrainCallbacks {
    const every = this.#options.every ?? 50;
    return {
      onMetrics: async (m) => {
        this.#options.history.push(m);
        this.#rate = this.#speed(m);
        if (m.step - this.#drawnAt >= every || m.step >= this.#options.total) {
          await this.redraw();
        }
      },
      onSample: async (s) => {
        if (this.#options.samplePng) {
          const bytes = await this.#options.samplePng(s.step);
          this.#sample = pngImage(bytes, {
            ...pngSize(bytes),
            scale: 1.5,
            caption: `samples at step ${s.step}: rows are digits 0–9, columns c1 from −2 to +2`,
          });
        }
        await this.redraw();
      },
    };
  }

  /** The status line for the newest metrics. */
  status(note = ""): string {
    const { total, history } = this.#options;
    const m = history.at(-1);
    const parts: string[] = [];
    if (m) {
      parts.push(`step ${m.step}/${total}`);
      const { rate, eta } = this.#rate;
      if (Number.isFinite(rate)) {
        parts.push(`${rate.toFixed(2)} steps/s`, `ETA ${formatTime(eta)}`);
      }
      parts.push(
        `d_loss ${m.d_loss.toFixed(3)}  g_loss ${m.g_loss.toFixed(3)}  d_acc ${
          m.d_acc.toFixed(2)
        }  L_I ${m.li.toFixed(2)} (H(c) = ${
          categoricalEntropy(this.#options.numLabels ?? 10).toFixed(2)
        })`,
      );
    }
    if (note) parts.push(note);
    return parts.join(" · ");
  }

  /** Draws (first call) or replaces (later calls) the display. */
  async redraw(note = ""): Promise<void> {
    const { history, title, id } = this.#options;
    const content: (PlotElement | string)[] = [this.status(note) || "starting…"];
    if (history.length > 0) {
      content.push(lossCurves([{ name: "run", metrics: history }], {
        terms: this.#options.terms ?? ["d_loss", "g_loss", "g_label"],
        title,
        height: 260,
      }));
    }
    if (this.#sample) content.push(this.#sample);
    await show(content, { id, update: this.#shown });
    this.#shown = true;
    this.#drawnAt = history.at(-1)?.step ?? 0;
  }

  /** A last redraw with a closing note. */
  async finish(note: string): Promise<void> {
    await this.redraw(note);
  }
}

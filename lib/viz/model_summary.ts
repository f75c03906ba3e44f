/** A model's layer table as text. */
import type * as tf from "@tensorflow/tfjs";

/**
 * A model's layer table as one string (tfjs's `summary()` prints line by
 * line, which a notebook shows with gaps between the lines).
 */
export function modelSummary(model: tf.LayersModel, options: { lineLength?: number } = {}): string {
  const lines: string[] = [];
  model.summary(options.lineLength ?? 100, undefined, (line: string) => lines.push(line));
  return lines.join("\n");
}

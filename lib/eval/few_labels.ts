/**
 * Naming an unsupervised category code from a few labelled images, as the
 * authors' unused `supervised_train` set (10 labelled images per class)
 * suggests: draw `perClass` labelled images of each class, name the
 * categories on those images alone (one-to-one, or by majority for an
 * overclustered code), and score that naming on every other image.
 *
 * The Hungarian accuracy that `evaluate` reports names the categories with
 * every test label, so it is the best any one-to-one naming can score on the
 * test set. A naming from 100 images can only match it or fall short on the
 * other images, by the share that a few labels misname: a category whose
 * images split between two digits (4 and 9, say) is easy to misname.
 *
 * @module
 */
import { confusion, nameCategories } from "./assignment.ts";
import type { Random } from "../infogan/random.ts";

/** The few-label naming's accuracy over several draws of the labelled set. */
export interface FewLabelAccuracy {
  /** Labelled images per class in each draw. */
  perClass: number;
  /** Draws of the labelled set. */
  draws: number;
  /** Accuracy on the unlabelled rest, over the draws. */
  mean: number;
  min: number;
  max: number;
}

/**
 * Scores `categories[i]` (one of `k` categories per image) against
 * `labels[i]` (one of `classes`) when the categories are named, by `rule`,
 * from `perClass` labelled images of each class, drawn `draws` times with
 * `rng`. Under the majority rule a category that no labelled image falls in
 * stays unnamed, and its images count as wrong.
 */
export function fewLabelAccuracy(
  categories: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: {
    k: number;
    classes: number;
    rule: "hungarian" | "majority";
    perClass: number;
    draws: number;
    rng: Random;
  },
): FewLabelAccuracy {
  const { k, classes, rule, perClass, draws, rng } = options;
  if (categories.length !== labels.length) {
    throw new RangeError(
      `fewLabelAccuracy: expected equal lengths, found ${categories.length} and ${labels.length}`,
    );
  }
  const byClass = Array.from({ length: classes }, () => [] as number[]);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  for (const [digit, members] of byClass.entries()) {
    if (members.length <= perClass) {
      throw new RangeError(
        `fewLabelAccuracy: expected more than ${perClass} images of class ${digit}, found ${members.length}`,
      );
    }
  }
  const scores: number[] = [];
  for (let d = 0; d < draws; d++) {
    const labelled = new Uint8Array(labels.length);
    for (const members of byClass) {
      for (const i of sample(members, perClass, rng)) labelled[i] = 1;
    }
    const pick = (keep: number) => {
      const idx: number[] = [];
      for (let i = 0; i < labels.length; i++) if (labelled[i] === keep) idx.push(i);
      return idx;
    };
    const known = pick(1);
    const { mapping } = nameCategories(
      confusion(known.map((i) => categories[i]), known.map((i) => labels[i]), k, classes),
      rule,
    );
    const rest = pick(0);
    const right = rest.filter((i) => mapping[categories[i]] === labels[i]).length;
    scores.push(right / rest.length);
  }
  return {
    perClass,
    draws,
    mean: scores.reduce((a, b) => a + b, 0) / draws,
    min: Math.min(...scores),
    max: Math.max(...scores),
  };
}

/** `n` distinct members of `xs`, by a partial Fisher–Yates shuffle. */
function sample(xs: readonly number[], n: number, rng: Random): number[] {
  const pool = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}

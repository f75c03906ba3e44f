/**
 * The names of a dataset's classes, for labelling what a category draws.
 */
import { basename, resolve } from "node:path";
import { FASHION_MNIST_CLASSES } from "../data/fashion.ts";

/**
 * The class names of a run's dataset (`config.data`): Fashion-MNIST's for a
 * folder named `fashion-mnist` (Debian's, or a copy under that name), null
 * for MNIST (whose classes are the digits themselves) and any other folder.
 */
export function classNames(data: string): readonly string[] | null {
  if (data === "") return null;
  return basename(resolve(data)).toLowerCase() === "fashion-mnist" ? FASHION_MNIST_CLASSES : null;
}

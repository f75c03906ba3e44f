/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 70 000 greyscale 28×28
 * images of clothing in 10 classes, in MNIST's IDX layout, so every reader
 * and network here takes it unchanged (`--data DIR`, `config.data`).
 */

/** Where Debian's `dataset-fashion-mnist` (installed by `deno task setup`) puts it. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** The classes, by label: the names of the dataset's own documentation. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];

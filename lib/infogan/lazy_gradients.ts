/**
 * Only the gradients a step asks for. Under a gradient tape, tfjs's Dense and
 * Conv2D layers run the fused `matMul`/`conv2d` ops, whose custom gradient
 * computes the input, weight and bias gradients all at once. So G's step
 * computes D's weight gradients and throws them away, and D's step computes
 * the gradient of its first layer with respect to the images. The plain ops
 * give each input its own gradient, which tfjs computes only when a variable
 * being trained needs it. Outside a tape (sampling, evaluation) the fused ops
 * stay. Works on every backend; the layers keep their classes and weights.
 */
import * as tf from "@tensorflow/tfjs";

/** The parts of tfjs's Dense and Conv2D layers that the plain call reads. */
interface LinearLayer {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string };
  /** Conv2D only. */
  strides?: number[];
  padding?: "valid" | "same";
  dilationRate?: number[];
  dataFormat?: string;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/** Whether a gradient tape is recording (inside `tf.variableGrads`, `tf.grad`, …). */
function recording(): boolean {
  return (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
}

/** `x·W + b` or `conv2d(x, W) + b` with plain ops, or null when `layer` is not linear here. */
function plainCall(layer: LinearLayer, className: string, x: tf.Tensor): tf.Tensor | null {
  if (layer.activation.getClassName() !== "linear") return null;
  let y: tf.Tensor;
  if (className === "Dense" && x.rank === 2) {
    y = tf.matMul(x, layer.kernel.read());
  } else if (className === "Conv2D" && x.rank === 4 && layer.dataFormat === "channelsLast") {
    y = tf.conv2d(
      x as tf.Tensor4D,
      layer.kernel.read() as tf.Tensor4D,
      layer.strides as [number, number],
      layer.padding!,
      "NHWC",
      layer.dilationRate as [number, number],
    );
  } else return null;
  return layer.bias ? tf.add(y, layer.bias.read()) : y;
}

/**
 * Makes every linear Dense and Conv2D layer of `model` use the plain ops
 * under a gradient tape; returns the model.
 */
export function withLazyGradients<M extends tf.LayersModel>(model: M): M {
  for (const l of model.layers) {
    const className = l.getClassName();
    if (className !== "Dense" && className !== "Conv2D") continue;
    const layer = l as unknown as LinearLayer;
    const tfjsCall = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!recording()) return tfjsCall(inputs, kwargs);
      return tf.tidy(() => plainCall(layer, className, x) ?? tfjsCall(inputs, kwargs));
    };
  }
  return model;
}

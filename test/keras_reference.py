"""Keras reference of the book's InfoGAN, for the parity test and the benchmark.

The same model as lib/infogan/generator.ts and lib/infogan/discriminator.ts, built with Keras 3
on TensorFlow, with the same layer names so weights map one to one, and the
same training step as lib/infogan/train.ts written with tf.GradientTape and explicit
variable lists (D and Q in the D step, G alone in the G step).

Usage:
  python keras_reference.py parity --weights DIR --inputs FILE --out DIR
      Loads a tfjs checkpoint (DIR/generator, DIR/discriminator), runs D's
      forward pass, one D step and one G step on the inputs in FILE (JSON),
      and writes DIR/result.json plus the updated weights as
      DIR/{generator,discriminator}.bin in the checkpoint's manifest order.
  python keras_reference.py bench [--steps N] [--batch B] [--warmup W] [--eager]
      Times the book step on random data; prints one JSON line. `--eager` runs the
      step's functions op by op, as tfjs does, instead of as compiled graphs.
  python keras_reference.py profile [--steps N] [--warmup W] [--eager]
      TF's profiler over N book steps: calls and self-time per step of the 20 costliest
      op types (the profiler's own overhead included), as one JSON line.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

EPS = 1e-7  # keras.backend.epsilon()


def scaled(filters, width):
    return max(1, round(filters * width))


def build_generator(latent=62, labels=10, width=1.0):
    z = keras.Input((latent,), name="z")
    label = keras.Input((labels,), name="label")
    c1 = keras.Input((1,), name="code1")
    c2 = keras.Input((1,), name="code2")
    filters = [scaled(f, width) for f in (128, 64, 32)] + [1]
    x = layers.Concatenate(axis=1, name="g_concat")([z, label, c1, c2])
    x = layers.Dense(7 * 7 * filters[0], name="g_dense")(x)
    x = layers.Reshape((7, 7, filters[0]), name="g_reshape")(x)
    for i, f in enumerate(filters):
        x = layers.BatchNormalization(name=f"g_bn{i + 1}")(x)
        x = layers.Activation("relu", name=f"g_relu{i + 1}")(x)
        x = layers.Conv2DTranspose(
            f, 5, strides=2 if i < 2 else 1, padding="same", name=f"g_deconv{i + 1}"
        )(x)
    x = layers.Activation("sigmoid", name="g_image")(x)
    return keras.Model([z, label, c1, c2], x, name="generator")


def build_discriminator(labels=10, width=1.0):
    image = keras.Input((28, 28, 1), name="image")
    filters = [scaled(f, width) for f in (32, 64, 128, 256)]
    x = image
    for i, f in enumerate(filters):
        x = layers.LeakyReLU(negative_slope=0.2, name=f"d_lrelu{i + 1}")(x)
        x = layers.Conv2D(
            f, 5, strides=1 if i == 3 else 2, padding="same", name=f"d_conv{i + 1}"
        )(x)
    features = layers.Flatten(name="d_flatten")(x)
    real_logit = layers.Dense(1, name="real_logit")(features)
    real = layers.Activation("sigmoid", name="real")(real_logit)
    hidden = layers.Dense(filters[2], name="q_hidden")(features)
    label_logits = layers.Dense(labels, name="label_logits")(hidden)
    label = layers.Activation("softmax", name="label")(label_logits)
    code1 = layers.Dense(1, activation="sigmoid", name="code1")(hidden)
    code2 = layers.Dense(1, activation="sigmoid", name="code2")(hidden)
    probs = keras.Model(image, [real, label, code1, code2], name="discriminator")
    logits = keras.Model(image, [real_logit, label_logits, code1, code2])
    return probs, logits


def mi_loss(c, q):
    """The book's mi_loss: mean(-sum(c * log(q + eps)))."""
    return tf.reduce_mean(-tf.reduce_sum(tf.math.log(q + EPS) * c, axis=1))


BCE = keras.losses.BinaryCrossentropy(from_logits=True)
CCE = keras.losses.CategoricalCrossentropy(from_logits=True)


def rmsprop(lr, decay):
    """Keras legacy RMSprop(lr, decay): inverse-time decay of the rate."""
    schedule = keras.optimizers.schedules.InverseTimeDecay(lr, 1, decay)
    return keras.optimizers.RMSprop(learning_rate=schedule, rho=0.9, epsilon=EPS)


class Book:
    """The book's models, optimizers and one-function-per-step training."""

    def __init__(self, width=1.0, weights=(1.0, 1.0, 0.5, 0.5), lam=1.0):
        self.g = build_generator(width=width)
        self.d, self.d_logits = build_discriminator(width=width)
        self.w = weights
        self.lam = lam
        self.opt_d = rmsprop(2e-4, 6e-8)
        self.opt_g = rmsprop(1e-4, 3e-8)

    def terms(self, out, y, labels, c1, c2):
        real_logit, label_logits, q1, q2 = out
        return BCE(y, real_logit), CCE(labels, label_logits), mi_loss(c1, q1), mi_loss(c2, q2)

    @tf.function(reduce_retracing=True)
    def d_step(self, real, real_labels, real_c1, real_c2, z, fake_labels, fake_c1, fake_c2):
        b = tf.shape(real)[0]
        fake = self.g([z, fake_labels, fake_c1, fake_c2], training=False)
        x = tf.concat([real, fake], 0)
        y = tf.concat([tf.ones([b, 1]), tf.zeros([b, 1])], 0)
        labels = tf.concat([real_labels, fake_labels], 0)
        c1 = tf.concat([real_c1, fake_c1], 0)
        c2 = tf.concat([real_c2, fake_c2], 0)
        variables = self.d.trainable_variables
        with tf.GradientTape() as tape:
            out = self.d_logits(x, training=True)
            bce, ce, m1, m2 = self.terms(out, y, labels, c1, c2)
            total = self.w[0] * bce + self.w[1] * ce + self.w[2] * m1 + self.w[3] * m2
        grads = tape.gradient(total, variables)
        self.opt_d.apply_gradients(zip(grads, variables))
        return tf.stack([total, bce, ce, m1, m2])

    @tf.function(reduce_retracing=True)
    def g_step(self, z, labels, c1, c2):
        y = tf.ones([tf.shape(z)[0], 1])
        variables = self.g.trainable_variables
        with tf.GradientTape() as tape:
            images = self.g([z, labels, c1, c2], training=True)
            out = self.d_logits(images, training=True)
            bce, ce, m1, m2 = self.terms(out, y, labels, c1, c2)
            lam = self.lam
            total = self.w[0] * bce + lam * (self.w[1] * ce + self.w[2] * m1 + self.w[3] * m2)
        grads = tape.gradient(total, variables)
        self.opt_g.apply_gradients(zip(grads, variables))
        return tf.stack([total, bce, ce, m1, m2])


def read_tfjs_weights(model_dir):
    """(name, array) pairs from a tfjs model.json + weights.bin, in order."""
    with open(os.path.join(model_dir, "model.json")) as f:
        manifest = json.load(f)["weightsManifest"][0]
    data = np.fromfile(os.path.join(model_dir, manifest["paths"][0]), dtype="<f4")
    out, offset = [], 0
    for spec in manifest["weights"]:
        size = int(np.prod(spec["shape"]))
        out.append((spec["name"], data[offset:offset + size].reshape(spec["shape"])))
        offset += size
    if offset != data.size:
        sys.exit(f"{model_dir}: weights.bin has {data.size} floats, manifest lists {offset}")
    return out


def by_path(model):
    return {v.path: v for v in model.weights}


def load_weights(model, model_dir):
    variables = by_path(model)
    names = []
    for name, value in read_tfjs_weights(model_dir):
        if name not in variables:
            sys.exit(f"{model_dir}: weight {name} has no Keras counterpart")
        if tuple(variables[name].shape) != value.shape:
            sys.exit(f"{name}: Keras shape {variables[name].shape}, tfjs {value.shape}")
        variables[name].assign(value)
        names.append(name)
    return names


def arr(values, shape):
    return tf.constant(np.asarray(values, dtype="float32").reshape(shape))


def one_hot(labels, k=10):
    return tf.constant(np.eye(k, dtype="float32")[np.asarray(labels, dtype="int64")])


def parity(args):
    with open(args.inputs) as f:
        inp = json.load(f)
    book = Book(width=inp["width"])
    g_names = load_weights(book.g, os.path.join(args.weights, "generator"))
    d_names = load_weights(book.d, os.path.join(args.weights, "discriminator"))
    b = len(inp["d"]["labels"])
    latent = inp["latentSize"]
    real = arr(inp["d"]["images"], [b, 28, 28, 1])
    fake_in = inp["d"]["fake"]
    fz = arr(fake_in["z"], [b, latent])
    fl = one_hot(fake_in["labels"])
    fc1, fc2 = arr(fake_in["code1"], [b, 1]), arr(fake_in["code2"], [b, 1])
    fake = book.g([fz, fl, fc1, fc2], training=False)
    forward = book.d(tf.concat([real, fake], 0), training=False)
    d_losses = book.d_step(
        real, one_hot(inp["d"]["labels"]), arr(inp["d"]["realCode1"], [b, 1]),
        arr(inp["d"]["realCode2"], [b, 1]), fz, fl, fc1, fc2,
    )
    g = inp["g"]
    n = len(g["labels"])
    g_losses = book.g_step(
        arr(g["z"], [n, latent]), one_hot(g["labels"]),
        arr(g["code1"], [n, 1]), arr(g["code2"], [n, 1]),
    )
    os.makedirs(args.out, exist_ok=True)
    for model, names, file in ((book.g, g_names, "generator.bin"), (book.d, d_names, "discriminator.bin")):
        variables = by_path(model)
        flat = np.concatenate([variables[n].numpy().astype("<f4").ravel() for n in names])
        flat.tofile(os.path.join(args.out, file))
    result = {
        "forward": [t.numpy().ravel().tolist() for t in forward],
        "d": d_losses.numpy().tolist(),
        "g": g_losses.numpy().tolist(),
        "keras": keras.__version__,
        "tensorflow": tf.__version__,
    }
    with open(os.path.join(args.out, "result.json"), "w") as f:
        json.dump(result, f)


def time_steps(step, steps, warmup):
    """Runs `warmup` untimed steps, then `steps` timed ones: (ms per step, peak RSS in MB)."""
    import resource
    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - start) * 1000 / steps
    return ms, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def profile_ops(step, steps, warmup):
    """Per op type over `steps` profiled steps: [{op, calls_per_step, ms_per_step}], costliest first."""
    import collections
    import glob
    import tempfile

    from tensorflow.python.profiler.internal import _pywrap_profiler_plugin as plugin

    for _ in range(warmup):
        step()
    logdir = tempfile.mkdtemp()
    tf.profiler.experimental.start(logdir)
    for _ in range(steps):
        step()
    tf.profiler.experimental.stop()
    paths = glob.glob(f"{logdir}/**/*.xplane.pb", recursive=True)
    table = json.loads(plugin.xspace_to_tools_data(paths, "framework_op_stats", {})[0])[0]
    cols = [c["id"] for c in table["cols"]]
    ops = collections.defaultdict(lambda: [0.0, 0.0])
    for row in table["rows"]:
        v = dict(zip(cols, [c.get("v") if c else None for c in row["c"]]))
        ops[v["type"]][0] += v["occurrences"] / steps
        ops[v["type"]][1] += v["total_self_time"] / 1000 / steps
    top = sorted(ops.items(), key=lambda kv: -kv[1][1])
    return [{"op": k, "calls_per_step": n, "ms_per_step": ms} for k, (n, ms) in top[:20]]


def book_stepper(args):
    """One book training step on random inputs, with one host sync as the tfjs loop on log steps."""
    book = Book(width=args.width)
    rng = np.random.default_rng(0)
    b = args.batch

    def batch():
        t = lambda *s: tf.constant(rng.standard_normal(s).astype("float32") * 0.5)  # noqa: E731
        real = tf.constant(rng.random((b, 28, 28, 1), dtype="float32"))
        labels = lambda: one_hot(rng.integers(0, 10, b))  # noqa: E731
        z = lambda: tf.constant(rng.uniform(-1, 1, (b, 62)).astype("float32"))  # noqa: E731
        return (real, labels(), t(b, 1), t(b, 1), z(), labels(), t(b, 1), t(b, 1)), (z(), labels(), t(b, 1), t(b, 1))

    def step():
        d_in, g_in = batch()
        d = book.d_step(*d_in)
        g = book.g_step(*g_in)
        return float(d[0]) + float(g[0])

    return step


def bench(args):
    ms, peak = time_steps(book_stepper(args), steps=args.steps, warmup=args.warmup)
    print(json.dumps({
        "backend": "keras-eager" if args.eager else "keras",
        "ms_per_step": ms, "steps": args.steps, "batch": args.batch,
        "peak_rss_mb": peak, "tensors_constant": None, "eager": args.eager,
        "keras": keras.__version__, "tensorflow": tf.__version__,
        "threads": [tf.config.threading.get_intra_op_parallelism_threads(),
                    tf.config.threading.get_inter_op_parallelism_threads()],
    }))


def profile(args):
    top = profile_ops(book_stepper(args), steps=args.steps, warmup=args.warmup)
    print(json.dumps({"preset": "book", "steps": args.steps, "eager": args.eager, "top": top}))


def add_step_flags(parser, batch):
    """The flags shared by every timing subcommand of the Keras references."""
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=batch,
                        help="real images per step (0: the preset's batch, in keras_paper_reference.py)")
    parser.add_argument("--width", type=float, default=1.0)
    parser.add_argument("--eager", action="store_true",
                        help="run the steps op by op (tf.config.run_functions_eagerly), as tfjs does")


def set_eager(args):
    """Applies `--eager` before any step is traced."""
    tf.config.run_functions_eagerly(args.eager)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parity")
    p.add_argument("--weights", required=True)
    p.add_argument("--inputs", required=True)
    p.add_argument("--out", required=True)
    for name in ("bench", "profile"):
        add_step_flags(sub.add_parser(name), batch=64)
    args = parser.parse_args()
    if args.cmd == "parity":
        return parity(args)
    set_eager(args)
    (profile if args.cmd == "profile" else bench)(args)


if __name__ == "__main__":
    main()

"""Keras reference of the paper's networks, for `deno task bench --preset lesson|paper`.

The same networks as the `paper` architecture of lib/infogan/generator.ts and
lib/infogan/discriminator.ts (Chen et al. 2016, appendix C, table 1), built with Keras 3
on TensorFlow, and the same training step as lib/infogan/train.ts for the `lesson` and
`paper` presets: D sees the real and the fake batch in separate calls (each
with its own BatchNorm statistics), the fakes come from G in training mode, the
continuous codes are scored by a Gaussian NLL with sigma = 1, and both networks
use Adam (beta1 0.5; D 2e-4, G 1e-3). `lesson` trains the label head on real
labels as well (the book's semi-supervision); `paper` trains Q on fakes only.

Usage:
  python keras_paper_reference.py bench --preset lesson|paper [--steps N] [--batch B] [--warmup W] [--eager]
      Times one step on random data; prints one JSON line, as keras_reference.py does.
  python keras_paper_reference.py profile --preset lesson|paper [--steps N] [--warmup W] [--eager]
      TF's profiler over N steps: calls and self-time per step of the 20 costliest op types
      (the profiler's own overhead included), as one JSON line.
"""

import argparse
import json
import math
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

from keras_reference import (  # noqa: E402
    BCE, CCE, add_step_flags, one_hot, profile_ops, scaled, set_eager, time_steps,
)

ALPHA = 0.1  # the paper's LeakyReLU slope, as lib/infogan/discriminator.ts
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def build_generator(latent=62, labels=10, width=1.0):
    z = keras.Input((latent,), name="z")
    label = keras.Input((labels,), name="label")
    c1 = keras.Input((1,), name="code1")
    c2 = keras.Input((1,), name="code2")
    channels = scaled(128, width)
    x = layers.Concatenate(axis=1, name="g_concat")([z, label, c1, c2])
    x = layers.Dense(scaled(1024, width), name="g_dense1")(x)
    x = layers.ReLU(name="g_relu1")(layers.BatchNormalization(name="g_bn1")(x))
    x = layers.Dense(7 * 7 * channels, name="g_dense2")(x)
    x = layers.ReLU(name="g_relu2")(layers.BatchNormalization(name="g_bn2")(x))
    x = layers.Reshape((7, 7, channels), name="g_reshape")(x)
    x = layers.Conv2DTranspose(scaled(64, width), 4, strides=2, padding="same", name="g_deconv1")(x)
    x = layers.ReLU(name="g_relu3")(layers.BatchNormalization(name="g_bn3")(x))
    x = layers.Conv2DTranspose(1, 4, strides=2, padding="same", name="g_deconv2")(x)
    x = layers.Activation("sigmoid", name="g_image")(x)
    return keras.Model([z, label, c1, c2], x, name="generator")


def build_discriminator(labels=10, width=1.0):
    image = keras.Input((28, 28, 1), name="image")
    lrelu = lambda name: layers.LeakyReLU(negative_slope=ALPHA, name=name)  # noqa: E731
    x = layers.Conv2D(scaled(64, width), 4, strides=2, padding="same", name="d_conv1")(image)
    x = lrelu("d_lrelu1")(x)
    x = layers.Conv2D(scaled(128, width), 4, strides=2, padding="same", name="d_conv2")(x)
    x = lrelu("d_lrelu2")(layers.BatchNormalization(name="d_bn2")(x))
    x = layers.Flatten(name="d_flatten")(x)
    x = layers.Dense(scaled(1024, width), name="d_dense")(x)
    features = lrelu("d_lrelu3")(layers.BatchNormalization(name="d_bn3")(x))
    real_logit = layers.Dense(1, name="real_logit")(features)
    hidden = layers.Dense(scaled(128, width), name="q_hidden")(features)
    hidden = lrelu("q_lrelu")(layers.BatchNormalization(name="q_bn")(hidden))
    label_logits = layers.Dense(labels, name="label_logits")(hidden)
    code1 = layers.Dense(1, name="code1")(hidden)
    code2 = layers.Dense(1, name="code2")(hidden)
    return keras.Model(image, [real_logit, label_logits, code1, code2], name="discriminator")


def gaussian_nll(c, mean):
    """Mean over the batch of 1/2 log 2pi + (c - mean)^2 / 2 (sigma = 1)."""
    return tf.reduce_mean(tf.reduce_sum(HALF_LOG_2PI + 0.5 * tf.square(c - mean), axis=1))


PRESETS = {
    # supervised labels, code weight, default batch
    "lesson": (True, 1.0, 64),
    "paper": (False, 0.5, 128),
}


class Paper:
    """The paper's networks with the lesson's or the paper's losses and Adam."""

    def __init__(self, preset, width=1.0):
        self.supervised, self.code_weight, _ = PRESETS[preset]
        self.g = build_generator(width=width)
        self.d = build_discriminator(width=width)
        self.opt_d = keras.optimizers.Adam(2e-4, beta_1=0.5, epsilon=1e-7)
        self.opt_g = keras.optimizers.Adam(1e-3, beta_1=0.5, epsilon=1e-7)

    def info(self, out, labels, c1, c2):
        _, label_logits, q1, q2 = out
        codes = gaussian_nll(c1, q1) + gaussian_nll(c2, q2)
        return CCE(labels, label_logits) + self.code_weight * codes

    @tf.function(reduce_retracing=True)
    def d_step(self, real, real_labels, real_c1, real_c2, z, fake_labels, fake_c1, fake_c2):
        b = tf.shape(real)[0]
        fake = self.g([z, fake_labels, fake_c1, fake_c2], training=True)
        variables = self.d.trainable_variables
        with tf.GradientTape() as tape:
            real_out = self.d(real, training=True)
            fake_out = self.d(fake, training=True)
            logits = tf.concat([real_out[0], fake_out[0]], 0)
            y = tf.concat([tf.ones([b, 1]), tf.zeros([b, 1])], 0)
            if self.supervised:
                both = [tf.concat([r, f], 0) for r, f in zip(real_out, fake_out)]
                info = self.info(
                    both,
                    tf.concat([real_labels, fake_labels], 0),
                    tf.concat([real_c1, fake_c1], 0),
                    tf.concat([real_c2, fake_c2], 0),
                )
            else:
                info = self.info(fake_out, fake_labels, fake_c1, fake_c2)
            total = BCE(y, logits) + info
        self.opt_d.apply_gradients(zip(tape.gradient(total, variables), variables))
        return total

    @tf.function(reduce_retracing=True)
    def g_step(self, z, labels, c1, c2):
        variables = self.g.trainable_variables
        with tf.GradientTape() as tape:
            out = self.d(self.g([z, labels, c1, c2], training=True), training=True)
            total = BCE(tf.ones_like(out[0]), out[0]) + self.info(out, labels, c1, c2)
        self.opt_g.apply_gradients(zip(tape.gradient(total, variables), variables))
        return total


def profile(args):
    """Per op type: calls and self-time per step, from TF's profiler over `--steps` steps."""
    step, _ = stepper(args)
    top = profile_ops(step, steps=args.steps, warmup=args.warmup)
    print(json.dumps({"preset": args.preset, "steps": args.steps, "eager": args.eager, "top": top}))


def stepper(args):
    """One training step of the preset's Keras model on random inputs, and the batch size."""
    model = Paper(args.preset, width=args.width)
    rng = np.random.default_rng(0)
    b = args.batch or PRESETS[args.preset][2]

    def batch():
        u = lambda *s: tf.constant(rng.uniform(-1, 1, s).astype("float32"))  # noqa: E731
        real = tf.constant(rng.random((b, 28, 28, 1), dtype="float32"))
        labels = lambda: one_hot(rng.integers(0, 10, b))  # noqa: E731
        d_in = (real, labels(), u(b, 1), u(b, 1), u(b, 62), labels(), u(b, 1), u(b, 1))
        return d_in, (u(b, 62), labels(), u(b, 1), u(b, 1))

    def step():
        d_in, g_in = batch()
        # One host sync per step, as the tfjs loop on log steps.
        return float(model.d_step(*d_in)) + float(model.g_step(*g_in))

    return step, b


def bench(args):
    step, b = stepper(args)
    ms, peak = time_steps(step, steps=args.steps, warmup=args.warmup)
    print(json.dumps({
        "backend": "keras-eager" if args.eager else "keras",
        "ms_per_step": ms, "steps": args.steps, "batch": b,
        "peak_rss_mb": peak, "tensors_constant": None, "preset": args.preset, "eager": args.eager,
        "keras": keras.__version__, "tensorflow": tf.__version__,
    }))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name in ("bench", "profile"):
        b = sub.add_parser(name)
        b.add_argument("--preset", choices=sorted(PRESETS), required=True)
        add_step_flags(b, batch=0)
    args = parser.parse_args()
    set_eager(args)
    (profile if args.cmd == "profile" else bench)(args)


if __name__ == "__main__":
    main()

import * as tf from "@tensorflow/tfjs";
import { initWebgpuBackend } from "../lib/backend_webgpu.ts";
import { createState, trainStep } from "../lib/train.ts";
import { resolveConfig } from "../lib/config.ts";
import { smallMnist } from "./helpers.ts";
const cfg = resolveConfig({ flags: { preset: "book" } });
const data = await smallMnist();
await initWebgpuBackend();
const s = createState(cfg);
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const v = trainStep(s, data);
  const out = await v.data();
  v.dispose();
  console.log(
    "book step",
    i,
    ((performance.now() - t0) / 1000).toFixed(2),
    "s",
    out[0].toFixed(4),
    tf.memory().numTensors,
  );
}

import * as tf from "@tensorflow/tfjs";
import { initWebgpuBackend, webgpuAdapterInfo } from "../lib/backend_webgpu.ts";
import { createState, disposeState, trainableVariables, trainStep } from "../lib/train.ts";
import { smallMnist, tinyConfig } from "./helpers.ts";
console.log(await webgpuAdapterInfo());
const cfg = tinyConfig();
const data = await smallMnist();
async function run(b: string) {
  if (b === "webgpu") await initWebgpuBackend();
  else await tf.setBackend(b);
  const s = createState(cfg);
  const t0 = performance.now();
  const v = trainStep(s, data);
  const out = await v.data();
  console.log(
    b,
    "step ms",
    performance.now() - t0,
    Array.from(out).map((x) => x.toFixed(6)).join(" "),
  );
  const w = await trainableVariables(s.generator)[0].data();
  v.dispose();
  disposeState(s);
  return { out, w };
}
const c = await run("cpu");
const g = await run("webgpu");
let m = 0;
for (let i = 0; i < c.w.length; i++) m = Math.max(m, Math.abs(c.w[i] - g.w[i]));
console.log("max w diff", m);
try {
  tf.ones([3]).add(1).dataSync();
} catch (e) {
  console.log((e as Error).message);
}

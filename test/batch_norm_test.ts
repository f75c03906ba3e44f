/**
 * The fused training-mode BatchNorm (one native kernel each way on the
 * tensorflow backend) against tfjs's own layer: outputs, gradients, moving
 * statistics, inference mode, odd shapes. The wasm backend's kernels are
 * checked the same way in wasm_fused_test.ts.
 */
import { initBackend } from "../lib/backends/select.ts";
import { checkFusedBatchNorm, checkFusedBatchNormLeaks } from "./fused_parity.ts";

await initBackend("tensorflow");

for (const shape of [[5, 7], [3, 5, 5, 4], [2, 9]]) {
  Deno.test(`fused BatchNorm on [${shape}] matches tfjs's layer: output, gradients, moving statistics`, () => {
    checkFusedBatchNorm(shape);
  });
}

Deno.test("fused BatchNorm leaks no tensors in training and inference", () => {
  checkFusedBatchNormLeaks();
});

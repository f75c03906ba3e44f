/**
 * Where the native backend's binding lives: `deno task setup` builds it there
 * and the backend loads it from there. No tfjs here, so setup can import it
 * before anything is installed.
 *
 * @module
 */
import { join } from "node:path";

/** The N-API version the binding is built for; node-pre-gyp picks napi-v8 on Deno and Node 20. */
export const NAPI_VERSION = 8;

/** The binding inside the tfjs-node package, where `deno task setup` builds it. */
export const BINDING = `lib/napi-v${NAPI_VERSION}/tfjs_binding.node`;

/** The built binding's path, or null when it has not been built. */
export function nativeBindingPath(root: string): string | null {
  try {
    const pkg = Deno.realPathSync(join(root, "node_modules", "@tensorflow", "tfjs-node"));
    const path = join(pkg, BINDING);
    return Deno.statSync(path).isFile ? path : null;
  } catch (e) {
    // Missing means not built; a denied read is reported, not hidden.
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * `deno task toy`: trains the toy InfoGAN (a ring of 8 Gaussians, the `toy`
 * preset) for each seed and each λ, and prints one Markdown row per run:
 * where its categories land (Hungarian accuracy of category → mode, share on
 * a mode, modes covered, the least concentrated category's top share), L_I
 * at the end, what each continuous code moves (ρ with angle and radius), and
 * the seconds it trained. docs/toy.md's tables come from this command.
 */
import { initBackend, SMALL_MODEL } from "../backends/select.ts";
import { configFromEnv, resolveConfig } from "../infogan/config_schema.ts";
import { RING, ringSampler } from "../data/ring.ts";
import { evaluateToy } from "../eval/ring_measures.ts";
import { createState, disposeState } from "../infogan/state.ts";
import { type Metrics, train } from "../infogan/loop.ts";
import {
  type CommandSpec,
  configFlagSpecs,
  configFromFlags,
  runCommand,
  UsageError,
} from "./args.ts";
import type { Value } from "../infogan/values.ts";

const COMMAND: CommandSpec = {
  usage: "deno task toy [--seeds N] [--lambdas L,L] [flags]",
  description:
    "Train the toy InfoGAN on a ring of 8 Gaussians per seed and λ, and tabulate where its categories land.",
  flags: {
    seeds: { kind: "int", min: 1, max: 100, default: 3, help: "seeds 0..N-1" },
    lambdas: { kind: "string", default: "1,0", help: "comma-separated values of λ" },
    ...configFlagSpecs(),
  },
  footer: "Example: deno task toy --seeds 3 --lambdas 1,0 --num-labels 10",
};

function parseLambdas(text: string): number[] {
  const values = text.split(",").map((t) => t.trim()).filter((t) => t !== "").map(Number);
  if (values.length === 0 || values.some((x) => !(x >= 0 && x <= 1000))) {
    throw new UsageError(
      `--lambdas: expected numbers from 0 to 1000, found ${JSON.stringify(text)}`,
    );
  }
  return values;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(v: Record<string, Value>): Promise<void> {
  const lambdas = parseLambdas(v.lambdas as string);
  const seeds = v.seeds as number;
  const base = resolveConfig({
    flags: { preset: "toy", ...configFromEnv(Deno.env.toObject()), ...configFromFlags(v) },
  });
  if (base.architecture !== "toy") {
    throw new UsageError(`--architecture: expected toy (2-D points), found ${base.architecture}`);
  }
  console.error(`backend: ${await initBackend(base.backend, SMALL_MODEL)}`);
  const header = [
    "Seed",
    "λ",
    "Hungarian accuracy",
    "on a mode",
    "modes covered",
    "smallest top share",
    "final L_I",
    "c1 ρ angle",
    "c1 ρ radius",
    "c2 ρ angle",
    "c2 ρ radius",
    "seconds",
  ];
  console.log(`| ${header.join(" | ")} |\n| ${header.map(() => "---").join(" | ")} |`);
  for (let seed = 0; seed < seeds; seed++) {
    for (const lambda of lambdas) {
      const config = { ...base, seed, lambda };
      const state = createState(config);
      let last: Metrics | null = null;
      await train(state, ringSampler(RING), { onMetrics: (m) => void (last = m) });
      const e = await evaluateToy(state.generator, config, { ring: RING });
      const top = Math.min(...e.shares.map((row) => Math.max(...row)));
      const cells = [
        String(seed),
        String(lambda),
        pct(e.accuracy),
        pct(e.onMode),
        `${e.modesCovered} of ${RING.modes}`,
        pct(top),
        (last as Metrics | null)?.li.toFixed(3) ?? "—",
        e.code1.along.toFixed(2),
        e.code1.across.toFixed(2),
        e.code2.along.toFixed(2),
        e.code2.across.toFixed(2),
        state.elapsed.toFixed(1),
      ];
      console.log(`| ${cells.join(" | ")} |`);
      disposeState(state);
    }
  }
}

if (import.meta.main) await runCommand(COMMAND, main);

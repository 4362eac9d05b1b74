// The property: whatever readers, authors, the moderator and imports do, in any order, every view
// of the posts (counts, JSON, feed, moderation lists and counts, every page of threads) agrees
// with the model. Sizes and replay through BILLET_MODEL_* (see vitest.config.ts and
// test/model/README.md); a failure prints its seed, path and shrunk scenario with its trace.
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { it } from "vitest";
import { runScenario, scenarioArb, skipList } from "./harness.ts";
import { within } from "../time-limit.ts";

const int = (value: string | undefined, fallback: number) => (value && Number.isFinite(Number(value)) ? Number(value) : fallback);

const runs = int(env.BILLET_MODEL_RUNS, 20);
const maxOps = int(env.BILLET_MODEL_OPS, 40);
const shrinkMs = int(env.BILLET_MODEL_SHRINK_S, 60) * 1000;

// A sequence of 40 operations takes 0.3–0.5 s on an idle two-core machine (README); shrinking a
// failure stops after shrinkMs of its own.
it("every view agrees with the model after random sequences of operations", { timeout: within((runs * 500 * maxOps) / 40) + shrinkMs }, async () => {
  const skip = skipList();
  // Shrinking stops after shrinkMs: later candidates count as passing, so the smallest failure
  // found so far is the one reported. (performance.now: the harness fakes Date.)
  let shrinkUntil = Infinity;
  await fc.assert(
    fc.asyncProperty(scenarioArb(maxOps, skip), async (scenario) => {
      if (performance.now() > shrinkUntil) return;
      try {
        await runScenario(scenario, skip);
      } catch (err) {
        if (shrinkUntil === Infinity) shrinkUntil = performance.now() + shrinkMs;
        throw err;
      }
    }),
    { numRuns: runs, seed: env.BILLET_MODEL_SEED ? Number(env.BILLET_MODEL_SEED) : undefined, path: env.BILLET_MODEL_PATH || undefined },
  );
});

// Time limits for tests, derived from what each step needs instead of fixed: the step's cost on an
// idle two-core machine, times the run's time scale: a wide margin times how much slower this
// machine is (vitest.config.ts estimates it when the run starts and provides it to every project).
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** What a step's cost on an idle two-core machine is multiplied by to give its time limit. */
    timeScale: number;
  }
}

/** The time limit (ms) of a step that needs `needsMs` on an idle two-core machine. */
export function within(needsMs: number): number {
  // Run without billet's vitest.config.ts (nothing provided): the margin alone.
  return Math.ceil(needsMs * (inject("timeScale") ?? 10));
}

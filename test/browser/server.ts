// Global set-up for the browser tests: a fresh local D1 and KV with the seed, and `wrangler dev`
// serving them on 127.0.0.1:8799. The address and admin token reach the tests through `inject`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { ensureDevVars, prepareLocal, startDev } from "../../scripts/local.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    adminToken: string;
  }
}

export const PORT = 8799;

export default async function setup(project: TestProject) {
  const persistTo = mkdtempSync(join(tmpdir(), "billet-browser-"));
  const adminToken = ensureDevVars();
  await prepareLocal({ persistTo, quiet: true });
  // Many comments come from one address in these tests: the rate limit is tested in workerd.
  const child = await startDev({ port: PORT, persistTo, vars: { COMMENT_RATE_LIMIT: "off" }, quiet: true });
  project.provide("baseUrl", `http://127.0.0.1:${PORT}`);
  project.provide("adminToken", adminToken);
  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(persistTo, { recursive: true, force: true });
  };
}

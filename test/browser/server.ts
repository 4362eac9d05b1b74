// Global set-up for the browser tests: a fresh local D1 and KV with the seed, and `wrangler dev`
// serving them on 127.0.0.1:8799 (or, when another run already holds that port, on a free port the
// system gives). The address and admin token reach the tests through `inject`.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import type { TestProject } from "vitest/node";
import { ensureDevVars, prepareLocal, startDev } from "../../scripts/local.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    adminToken: string;
    /** Another site's origin, allowed to embed billet's comments (test/browser/embed.test.ts serves it). */
    embedOrigin: string;
  }
}

export const PORT = 8799;
/** The other site's port (a static server of embed.test.ts), on localhost: another origin than 127.0.0.1. */
export const EMBED_PORT = 8828;

/** `port` if nothing listens on it, else one the system picks (never another run's server). */
function freePort(port: number): Promise<number> {
  const tryPort = (p: number) =>
    new Promise<number | null>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(null));
      server.listen(p, "127.0.0.1", () => {
        const { port: got } = server.address() as AddressInfo;
        server.close(() => resolve(got));
      });
    });
  return tryPort(port).then((p) => p ?? tryPort(0).then((q) => q!));
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

export default async function setup(project: TestProject) {
  const persistTo = mkdtempSync(join(tmpdir(), "billet-browser-"));
  let child: ChildProcess | undefined;
  // Whatever ends this process (a failed set-up, Ctrl-C), wrangler and its workerd go with it.
  const killOnExit = () => child?.kill("SIGTERM");
  process.once("exit", killOnExit);
  try {
    const adminToken = ensureDevVars();
    await prepareLocal({ persistTo, quiet: true });
    const port = await freePort(PORT);
    // Many comments come from one address in these tests: the rate limit is tested in workerd.
    // wrangler dev answers within 6 s on an idle two-core machine (test/time-limit.ts).
    const readyWithinMs = Math.ceil(6_000 * project.getProvidedContext().timeScale);
    const embedOrigin = `http://localhost:${await freePort(EMBED_PORT)}`;
    child = await startDev({ port, persistTo, vars: { COMMENT_RATE_LIMIT: "off", EMBED_SITES: embedOrigin }, quiet: true, readyWithinMs });
    project.provide("embedOrigin", embedOrigin);
    project.provide("baseUrl", `http://127.0.0.1:${port}`);
    project.provide("adminToken", adminToken);
  } catch (err) {
    if (child) await stop(child);
    rmSync(persistTo, { recursive: true, force: true });
    throw err;
  }
  return async () => {
    await stop(child!);
    process.removeListener("exit", killOnExit);
    rmSync(persistTo, { recursive: true, force: true });
  };
}

// npm test: everything a fresh machine needs, then every test (workerd, Node, Chromium), then the
// plain summary line CI reads: "N passed, N failed, N skipped, N todo".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildSite } from "./build.ts";
import { ROOT } from "./content.ts";
import { CHROMIUM } from "../test/browser/chromium.ts";
import { buildModelSite } from "../test/model/site.ts";

function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    console.log("Installing Debian's chromium for the browser tests…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env });
  }
  if (!existsSync(CHROMIUM)) {
    console.error(`The browser tests need Chromium at ${CHROMIUM}: install it (sudo apt-get install chromium) or set CHROMIUM_PATH.`);
  }
}

ensureChromium();
await buildSite();
// The model tests' site: 164 generated posts (build/model-site/), pages and KV records only.
await buildModelSite();
mkdirSync(join(ROOT, "test-results"), { recursive: true });
const report = join(ROOT, "test-results", "vitest.json");
// A report left by an earlier run must not be read as this run's.
rmSync(report, { force: true });
const args = process.argv.slice(2);
const run = spawnSync(
  process.execPath,
  [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args],
  {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  },
);

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { status: string }[] }[];
}

let passed = 0;
let failed = 0;
let skipped = 0;
let todo = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8")) as JsonReport;
  passed = r.numPassedTests;
  skipped = r.numPendingTests;
  todo = r.numTodoTests;
  // A file that failed without a failed test of its own (it did not load, or a hook threw) counts
  // as one failure, whatever happened elsewhere.
  const brokenFiles = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((t) => t.status === "failed"));
  for (const f of brokenFiles)
    console.error(`\n${f.name}: ${f.assertionResults.length ? "failed outside its tests" : "failed to load"}${f.message ? `: ${f.message}` : ""}`);
  failed = r.numFailedTests + brokenFiles.length;
}
// vitest failed with nothing to show for it (no report, or an error outside every file).
if (run.status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped, ${todo} todo`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

// npm test: everything a fresh machine needs, then every test (workerd, Node, Chromium), then the
// plain summary line CI reads: "N passed, N failed".
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite } from "./build.ts";
import { ROOT } from "./content.ts";
import { CHROMIUM } from "../test/browser/chromium.ts";

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
mkdirSync(join(ROOT, "test-results"), { recursive: true });
const report = join(ROOT, "test-results", "vitest.json");
const args = process.argv.slice(2);
const run = spawnSync(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args], {
  cwd: ROOT,
  stdio: "inherit",
  env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
});
let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const r = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numFailedTestSuites: number; numTotalTests: number };
  passed = r.numPassedTests;
  // A file that fails to load counts as a failure even though none of its tests ran.
  failed = r.numFailedTests + (r.numFailedTests === 0 && run.status !== 0 ? Math.max(1, r.numFailedTestSuites) : 0);
} else if (run.status !== 0) {
  failed = 1;
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);

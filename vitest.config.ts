import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = new URL(".", import.meta.url).pathname;
// The model tests' fixture site (test/model/site.ts): npm test builds it; built here when missing.
const MODEL_PUBLIC = `${root}build/model-site/public`;
const MODEL_KV = `${root}build/model-site/kv-posts.json`;

// The model tests' size, from the environment (workerd only sees what comes in as bindings):
// BILLET_MODEL_RUNS sequences of up to BILLET_MODEL_OPS operations; BILLET_MODEL_SEED (and
// BILLET_MODEL_PATH) replay a reported failure; BILLET_MODEL_SKIP leaves out operation kinds or
// checks (comma-separated) to look past a known failure; BILLET_MODEL_SHRINK_S caps shrinking time.
const modelEnv = Object.fromEntries(
  ["BILLET_MODEL_RUNS", "BILLET_MODEL_OPS", "BILLET_MODEL_SEED", "BILLET_MODEL_PATH", "BILLET_MODEL_SKIP", "BILLET_MODEL_SHRINK_S"].map((k) => [
    k,
    process.env[k] ?? "",
  ]),
);

// Time limits, from what a step needs on an idle two-core machine (test/time-limit.ts): ten times
// that, times how much slower this run's machine is likely to be (fewer cores, or other work
// already running: the load per core). BILLET_SLOWNESS overrides the estimate.
const MARGIN = 10;
const cores = availableParallelism();
const slowness = Number(process.env.BILLET_SLOWNESS) || Math.max(1, 2 / cores) * Math.max(1, (loadavg()[0] + cores) / cores);
const timeScale = MARGIN * slowness;
const limit = (needsMs: number) => Math.ceil(needsMs * timeScale);
// Most steps need well under a second: half a second a test, a second a hook (a test that needs
// more says so with { timeout: within(ms) }).
const limits = { testTimeout: limit(500), hookTimeout: limit(1_000), provide: { timeScale } };

export default defineConfig(async () => {
  const migrations = await readD1Migrations(`${root}migrations`);
  if (!existsSync(MODEL_KV) || !existsSync(`${MODEL_PUBLIC}/404.html`)) await (await import("./test/model/site.ts")).buildModelSite();
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ADMIN_TOKEN: "test-admin-token",
                  SIGNING_SECRET: "test-signing-secret",
                  // An embedding site, to test CORS.
                  ALLOWED_ORIGINS: "https://ami.example",
                  // Sites whose pages carry billet's comments (test/worker/threads.test.ts).
                  EMBED_SITES: "https://amie.example, https://www.carnet.example",
                  TEST_MIGRATIONS: migrations,
                  TEST_KV_RECORDS: JSON.parse(readFileSync(`${root}build/kv-posts.json`, "utf8")),
                  TEST_SEED_ROWS: JSON.parse(readFileSync(`${root}build/seed-comments.json`, "utf8")),
                  // The posts' search index, as npm start loads it (a statement a line).
                  TEST_SEARCH_SQL: readFileSync(`${root}build/search-posts.sql`, "utf8"),
                },
              },
            }),
          ],
          test: { name: "worker", include: ["test/worker/**/*.test.ts"], setupFiles: ["./test/worker/setup.ts"], ...limits },
        },
        {
          // Model-based tests: random operations through the Worker against a site of 164 posts
          // (test/model/site.ts), every view compared with a plain model after each sequence.
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                assets: { directory: MODEL_PUBLIC },
                bindings: {
                  ADMIN_TOKEN: "test-admin-token",
                  SIGNING_SECRET: "test-signing-secret",
                  MODERATION: "none",
                  COMMENT_RATE_LIMIT: "off",
                  // Small pages, so threads cross page boundaries.
                  COMMENTS_PER_PAGE: "3",
                  MAX_DEPTH: "3",
                  MAX_LINKS: "2",
                  // The learning spam filter off (nothing scores above 1): the model holds a new
                  // comment only for its links.
                  SPAM_THRESHOLD: "1",
                  HOLD_THRESHOLD: "1",
                  TEST_MIGRATIONS: migrations,
                  TEST_KV_RECORDS: JSON.parse(readFileSync(MODEL_KV, "utf8")),
                  ...modelEnv,
                },
              },
            }),
          ],
          test: {
            name: "model",
            include: ["test/model/**/*.test.ts"],
            setupFiles: ["./test/model/setup.ts"],
            ...limits,
          },
        },
        {
          test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", ...limits },
        },
        {
          test: {
            name: "browser",
            include: ["test/browser/**/*.test.ts"],
            environment: "node",
            globalSetup: ["./test/browser/server.ts"],
            // A page test drives Chromium through a few steps: up to 6 s; a hook starts Chromium and
            // seeds the local server: up to 12 s.
            ...limits,
            testTimeout: limit(6_000),
            hookTimeout: limit(12_000),
            fileParallelism: false,
          },
        },
      ],
    },
  };
});

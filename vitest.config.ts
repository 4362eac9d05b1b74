import { readFileSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = new URL(".", import.meta.url).pathname;

export default defineConfig(async () => ({
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
                TEST_MIGRATIONS: await readD1Migrations(`${root}migrations`),
                TEST_KV_RECORDS: JSON.parse(readFileSync(`${root}build/kv-posts.json`, "utf8")),
                TEST_SEED_ROWS: JSON.parse(readFileSync(`${root}build/seed-comments.json`, "utf8")),
              },
            },
          }),
        ],
        test: { name: "worker", include: ["test/worker/**/*.test.ts"], setupFiles: ["./test/worker/setup.ts"] },
      },
      {
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          globalSetup: ["./test/browser/server.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
}));

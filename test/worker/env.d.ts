declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("@cloudflare/vitest-plugin").D1Migration[];
    TEST_KV_RECORDS: { key: string; value: string }[];
    TEST_SEED_ROWS: import("../../scripts/build.ts").SeedRow[];
    TEST_SEARCH_SQL: string;
  }
}

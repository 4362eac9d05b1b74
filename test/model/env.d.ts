// The model project's bindings (vitest.config.ts): the fixture site's records and the search's size.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("@cloudflare/vitest-plugin").D1Migration[];
    TEST_KV_RECORDS: { key: string; value: string }[];
    /** How many random sequences (default 12). */
    BILLET_MODEL_RUNS?: string;
    /** At most this many operations a sequence (default 40). */
    BILLET_MODEL_OPS?: string;
    /** Replay: the seed (and path) fast-check printed. */
    BILLET_MODEL_SEED?: string;
    BILLET_MODEL_PATH?: string;
    /** Operation kinds, moderation actions or checks to leave out, comma-separated. */
    BILLET_MODEL_SKIP?: string;
    /** Stop shrinking a failure after this many seconds (default 60). */
    BILLET_MODEL_SHRINK_S?: string;
  }
}

// Every model test file starts from the fixture site: migrations applied, its 164 post records in
// KV, no comment. Each run of a property then clears what the previous one wrote.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";

beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  await Promise.all(env.TEST_KV_RECORDS.map((r) => env.POSTS.put(r.key, r.value)));
});

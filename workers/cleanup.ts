// The daily clean-up (wrangler.toml [triggers]): address hashes older than the retention the
// author set (ADDRESS_RETENTION_DAYS) are erased from comments.
import { getConfig } from "./config.ts";
import { openDb } from "./db/comments.ts";
import { eraseOldAddresses } from "./db/desk.ts";

export async function eraseExpiredAddresses(env: Env, now = Date.now()): Promise<number> {
  const days = getConfig(env).addressRetentionDays;
  const erased = await eraseOldAddresses(openDb(env.DB), now - days * 86_400_000);
  console.log(`daily clean-up: ${erased} address hash(es) older than ${days} days erased`);
  return erased;
}

export async function dailyCleanUp(_controller: ScheduledController, env: Env): Promise<void> {
  await eraseExpiredAddresses(env);
}

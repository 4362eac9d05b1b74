// Once a day (wrangler.toml [triggers]): address hashes older than the retention the author set
// (ADDRESS_RETENTION_DAYS) are erased from comments; with EMAIL_NOTIFY = "digest", the author gets
// the day's comments that wait for them in one email.
import { getConfig } from "./config.ts";
import { openDb } from "./db/comments.ts";
import { eraseOldAddresses, waitingSince } from "./db/desk.ts";
import { digestEmail, emailSettings, send } from "./email.ts";

export async function eraseExpiredAddresses(env: Env, now = Date.now()): Promise<number> {
  const days = getConfig(env).addressRetentionDays;
  const erased = await eraseOldAddresses(openDb(env.DB), now - days * 86_400_000);
  console.log(`daily clean-up: ${erased} address hash(es) older than ${days} days erased`);
  return erased;
}

/** The digest of comments written in the last day that still wait; false when there was none to send. */
export async function sendDigest(env: Env, now = Date.now()): Promise<boolean> {
  const settings = emailSettings(env);
  if (settings?.mode !== "digest") return false;
  const message = await digestEmail(env, settings, await waitingSince(openDb(env.DB), now - 86_400_000));
  if (message) await send(env, message);
  return message !== null;
}

export async function daily(_controller: ScheduledController, env: Env): Promise<void> {
  await eraseExpiredAddresses(env);
  await sendDigest(env);
}

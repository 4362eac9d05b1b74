// Once a day (wrangler.toml [triggers]), four independent steps, each tried up to three times so
// that one failing neither skips nor stops the others: address hashes older than the retention the
// author set (ADDRESS_RETENTION_DAYS) erased; with EMAIL_NOTIFY = "digest", the comments that wait
// sent to the author; reply subscriptions never confirmed asked once more, then forgotten; the spam
// filter's memory kept under its cap. The run fails (and says which steps) only after all have run.
import { getConfig } from "../config.ts";
import { openDb } from "../db/comments.ts";
import * as desk from "../db/desk.ts";
import { eraseOldMarkNetworks } from "../db/order.ts";
import { digestEmail, emailSettings, send } from "./email.ts";
import { askConfirmation } from "./notify.ts";
import { getPost, type PostRecord } from "../store/posts.ts";

const DAY = 86_400_000;
/** Comments one digest lists (the oldest first); it says how many more wait. */
export const DIGEST_MAX = 50;
/** An address that has not confirmed is asked once more after this; forgotten a week after that. */
export const ASK_AGAIN_AFTER_MS = 3 * DAY;
export const FORGET_UNCONFIRMED_AFTER_MS = 7 * DAY;
/** The most features the spam filter keeps (the rarest go first beyond it). */
export const MAX_STORED_FEATURES = 100_000;

export async function eraseExpiredAddresses(env: Env, now = Date.now()): Promise<number> {
  const days = getConfig(env).addressRetentionDays;
  const erased = await desk.eraseOldAddresses(openDb(env.DB), now - days * DAY);
  // The networks of readers' "useful" marks, after the same time.
  await eraseOldMarkNetworks(openDb(env.DB), now - days * DAY);
  console.log(`daily clean-up: ${erased} address hash(es) older than ${days} days erased`);
  return erased;
}

/** The digest of every comment that waits, however old; false when there was none to send. */
export async function sendDigest(env: Env): Promise<boolean> {
  const settings = emailSettings(env);
  if (settings?.mode !== "digest") return false;
  const { rows, total } = await desk.waitingComments(openDb(env.DB), DIGEST_MAX);
  const slugs = [...new Set(rows.map((r) => r.postSlug))];
  const posts = new Map<string, PostRecord | null>(await Promise.all(slugs.map(async (slug) => [slug, await getPost(env.POSTS, slug)] as const)));
  const message = await digestEmail(env, settings, rows, total, posts);
  if (message) await send(env, message);
  return message !== null;
}

/** Addresses that never confirmed: asked a second time after a few days, forgotten a week later. */
export async function tendSubscriptions(env: Env, now = Date.now()): Promise<{ askedAgain: number; forgotten: number }> {
  const db = openDb(env.DB);
  const forgotten = await desk.forgetUnconfirmed(db, now - FORGET_UNCONFIRMED_AFTER_MS, now - ASK_AGAIN_AFTER_MS - FORGET_UNCONFIRMED_AFTER_MS);
  const again = emailSettings(env) ? await desk.unconfirmedToAskAgain(db, now - ASK_AGAIN_AFTER_MS, now) : [];
  await askConfirmation(env, ...again);
  console.log(`daily subscriptions: ${again.length} address(es) asked again, ${forgotten} unconfirmed forgotten`);
  return { askedAgain: again.length, forgotten };
}

export async function pruneSpamFeatures(env: Env, max = MAX_STORED_FEATURES): Promise<number> {
  const removed = await desk.pruneFeatures(openDb(env.DB), max);
  console.log(`daily spam filter: ${removed} feature(s) forgotten (at most ${max} kept)`);
  return removed;
}

const STEPS: [string, (env: Env) => Promise<unknown>][] = [
  ["addresses", (env) => eraseExpiredAddresses(env)],
  ["digest", sendDigest],
  ["subscriptions", (env) => tendSubscriptions(env)],
  ["spam filter", (env) => pruneSpamFeatures(env)],
];

/** Runs every step, each retried up to `tries` times; throws at the end naming those that still failed. */
export async function runDaily(env: Env, opts: { tries?: number; pauseMs?: number; steps?: typeof STEPS } = {}): Promise<void> {
  const { tries = 3, pauseMs = 5_000, steps = STEPS } = opts;
  const failed: string[] = [];
  for (const [name, step] of steps) {
    for (let attempt = 1; ; attempt++) {
      try {
        await step(env);
        break;
      } catch (err) {
        console.error(`daily ${name}: attempt ${attempt} of ${tries} failed`, err instanceof Error ? err.message : err);
        if (attempt >= tries) {
          failed.push(name);
          break;
        }
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs * attempt));
      }
    }
  }
  if (failed.length) throw new Error(`daily job: ${failed.join(", ")} failed after ${tries} tries`);
}

export async function daily(_controller: ScheduledController, env: Env): Promise<void> {
  await runDaily(env);
}

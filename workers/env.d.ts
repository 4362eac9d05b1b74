// Optional secrets: the features they turn on are off while they are unset.
interface Env {
  TURNSTILE_SECRET?: string;
  AKISMET_KEY?: string;
  /** Where new comments are announced (a Slack/Discord-compatible or any JSON webhook). */
  WEBHOOK_URL?: string;
  /** For the distance benchmark only (bench/distance.ts): ms added to every D1 round trip (workers/db/round-trips.ts). */
  D1_DELAY_MS?: string;
}

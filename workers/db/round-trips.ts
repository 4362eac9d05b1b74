// Round trips to D1, counted per request: a reader far from the database's primary waits for each
// sequential one (README, "Far from the database"). Every answer says how many it made and how long
// D1 kept it waiting, in Server-Timing (`d1;desc="2 round trips";dur=3.1`).
//
// How they are counted: each call that goes to D1 (a statement's first/all/run/raw, a batch, an
// exec) is one round trip; calls that overlap in time (awaited together with Promise.all) make one
// sequential step, since the reader waits for them once. `dur` is the time during which at least
// one call was under way. Work a request leaves running after its answer (ctx.waitUntil, given
// offThePath(env)) is not counted: nobody waits for it.
//
// D1_DELAY_MS (a var for the distance benchmark only: `wrangler dev --var D1_DELAY_MS:150`; never
// in wrangler.toml) adds that delay to every call, as if the primary were that far away.
import { shareConfig } from "../config.ts";
import { d1Timing } from "../http/server-timing.ts";

export class RoundTrips {
  /** Sequential steps: calls that began while no other was under way. */
  steps = 0;
  /** Milliseconds during which at least one call was under way. */
  busyMs = 0;
  private inFlight = 0;
  private since = 0;

  begin(): void {
    if (this.inFlight++ === 0) {
      this.steps++;
      this.since = performance.now();
    }
  }

  end(): void {
    if (--this.inFlight === 0) this.busyMs += performance.now() - this.since;
  }

  /** The Server-Timing entry (a metric name, a quoted description, a duration in ms). */
  serverTiming(): string {
    return d1Timing(this.steps, this.busyMs);
  }
}

type Call = <T>(run: () => Promise<T>) => Promise<T>;

// The real statement behind a counted one (a batch is given counted statements and runs the real ones).
const REAL = Symbol("real D1 statement");
const ONE_TRIP = new Set<PropertyKey>(["first", "all", "run", "raw"]);

/** Calls through to `target`, its methods bound to it (workerd's objects want their own `this`). */
function passThrough(target: object, prop: PropertyKey): unknown {
  const value = Reflect.get(target, prop, target);
  return typeof value === "function" ? value.bind(target) : value;
}

function countedStatement(real: D1PreparedStatement, call: Call): D1PreparedStatement {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === REAL) return target;
      if (prop === "bind") return (...values: unknown[]) => countedStatement(target.bind(...values), call);
      if (ONE_TRIP.has(prop)) {
        const method = Reflect.get(target, prop, target) as (...a: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => call(() => method.apply(target, args));
      }
      return passThrough(target, prop);
    },
  });
}

const realOf = (s: D1PreparedStatement): D1PreparedStatement => (s as unknown as Record<symbol, D1PreparedStatement>)[REAL] ?? s;

function countedDb<T extends D1Database | D1DatabaseSession>(real: T, call: Call): T {
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => countedStatement(target.prepare(query), call);
      if (prop === "batch") return (statements: D1PreparedStatement[]) => call(() => target.batch(statements.map(realOf)));
      if (prop === "exec" || prop === "dump") {
        const method = Reflect.get(target, prop, target) as (...a: unknown[]) => Promise<unknown>;
        return (...args: unknown[]) => call(() => method.apply(target, args));
      }
      if (prop === "withSession") return (start?: string) => countedDb((target as D1Database).withSession(start), call);
      return passThrough(target, prop);
    },
  });
}

const uncounted = new WeakMap<object, Env>();

/** `env` for one request: its D1 counted by `meter` (and delayed by D1_DELAY_MS when set). */
export function meteredEnv(env: Env, meter: RoundTrips): Env {
  if (!env.DB) return env;
  const delay = Number(env.D1_DELAY_MS ?? 0);
  const wait = delay > 0 ? () => new Promise<void>((r) => setTimeout(r, delay)) : null;
  const call: Call = async (run) => {
    meter.begin();
    try {
      if (wait) await wait();
      return await run();
    } finally {
      meter.end();
    }
  };
  const metered = { ...env, DB: countedDb(env.DB, call) };
  uncounted.set(metered, env);
  shareConfig(metered, env);
  return metered;
}

/** `env` for work left running after the answer (ctx.waitUntil): nobody waits for its round trips. */
export function offThePath(env: Env): Env {
  return uncounted.get(env) ?? env;
}

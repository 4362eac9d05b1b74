// The Server-Timing entry of D1's round trips (workers/db/round-trips.ts counts them): written by
// the Worker, read by the tests and the benchmark (this file needs no Worker types).

/** `d1;desc="2 round trips";dur=3.1`: how many sequential round trips to D1, and the time waited for them (ms). */
export function d1Timing(roundTrips: number, waitedMs: number): string {
  return `d1;desc="${roundTrips} round trip${roundTrips === 1 ? "" : "s"}";dur=${waitedMs.toFixed(1)}`;
}

/** The round trips a Server-Timing header reports; null without a d1 entry. */
export function roundTripsOf(serverTiming: string | null): number | null {
  const m = /(?:^|,)\s*d1;desc="(\d+) round trips?"/.exec(serverTiming ?? "");
  return m ? Number(m[1]) : null;
}

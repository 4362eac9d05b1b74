// autocannon ships no types; the bench uses its promise API only (bench/lib/load.ts).
declare module "autocannon" {
  function autocannon(opts: Record<string, unknown>): Promise<unknown>;
  export default autocannon;
}

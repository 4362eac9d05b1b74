// `npm start`'s set-up of the local D1 and KV is idempotent: run twice, the seed post still has six comments.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareLocal, wrangler } from "../../scripts/local.ts";

const persistTo = mkdtempSync(join(tmpdir(), "billet-local-"));
afterAll(() => rmSync(persistTo, { recursive: true, force: true }));

function query(sql: string): unknown[] {
  const out = wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", sql], { quiet: true });
  return (JSON.parse(out) as { results: unknown[] }[])[0].results;
}

describe("local set-up", () => {
  it("loads the seed post into KV and its six comments into D1, twice without doubling", { timeout: 120_000 }, async () => {
    await prepareLocal({ persistTo, quiet: true, build: false });
    await prepareLocal({ persistTo, quiet: true, build: false });
    expect(query("SELECT count(*) AS n FROM comments WHERE post_slug = 'reseaux-sociaux-trois-ans-apres'")).toEqual([{ n: 6 }]);
    // The post and its comments in the search index, once each.
    expect(query("SELECT count(*) AS n FROM search_index WHERE search_index MATCH 'reseaux'")).toEqual([{ n: 3 }]);
    expect(query("SELECT count(*) AS n FROM search_index")).toEqual([{ n: 7 }]);
    const record = wrangler(
      ["kv", "key", "get", "post:reseaux-sociaux-trois-ans-apres", "--binding", "POSTS", "--local", "--persist-to", persistTo, "--text"],
      { quiet: true },
    );
    expect(JSON.parse(record)).toMatchObject({ slug: "reseaux-sociaux-trois-ans-apres", comments_open: true });
  });
});

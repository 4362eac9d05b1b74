// `npm start`'s set-up of the local D1 and KV is idempotent: run twice, the seed post still has six comments.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareLocal, wrangler } from "../../scripts/local.ts";
import { within } from "../time-limit.ts";

const persistTo = mkdtempSync(join(tmpdir(), "billet-local-"));
afterAll(() => rmSync(persistTo, { recursive: true, force: true }));

/** Each statement's rows, from one run of wrangler (each run starts workerd: seconds). */
function query(...statements: string[]): unknown[][] {
  const out = wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--json", "--command", statements.join(";\n")], { quiet: true });
  return (JSON.parse(out) as { results: unknown[] }[]).map((r) => r.results);
}

describe("local set-up", () => {
  // Eight runs of wrangler (three a set-up, two of them side by side; two to look), each starting
  // workerd: about 4 s each on an idle two-core machine (27 s of CPU in all).
  it("loads the seed post into KV and its six comments into D1, twice without doubling", { timeout: within(33_000) }, async () => {
    await prepareLocal({ persistTo, quiet: true, build: false });
    await prepareLocal({ persistTo, quiet: true, build: false });
    const [comments, matched, indexed] = query(
      "SELECT count(*) AS n FROM comments WHERE post_slug = 'reseaux-sociaux-trois-ans-apres'",
      // The post and its comments in the search index, once each.
      "SELECT count(*) AS n FROM search_index WHERE search_index MATCH 'reseaux'",
      "SELECT count(*) AS n FROM search_index",
    );
    expect(comments).toEqual([{ n: 6 }]);
    expect(matched).toEqual([{ n: 3 }]);
    expect(indexed).toEqual([{ n: 7 }]);
    const record = wrangler(
      ["kv", "key", "get", "post:reseaux-sociaux-trois-ans-apres", "--binding", "POSTS", "--local", "--persist-to", persistTo, "--text"],
      { quiet: true },
    );
    expect(JSON.parse(record)).toMatchObject({ slug: "reseaux-sociaux-trois-ans-apres", comments_open: true });
  });
});

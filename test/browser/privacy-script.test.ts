// npm run privacy: a commenter's data exported and erased from the command line, through the
// running site's admin API.
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { runPrivacy } from "../../scripts/privacy.ts";
import { BASE, COMMENTS_API } from "./helpers.ts";

describe("npm run privacy", () => {
  it("exports a commenter's comments to a file, then erases them; a wrong token is said plainly", async () => {
    const email = `privee-${crypto.randomUUID().slice(0, 6)}@example.org`;
    for (const n of [1, 2]) {
      const res = await fetch(COMMENTS_API, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ author_name: "Privée", author_email: email, content: `Donnée ${n} ${crypto.randomUUID()}` }),
      });
      expect(res.status).toBe(202);
    }
    const token = inject("adminToken");
    const out = join(tmpdir(), `billet-privacy-${crypto.randomUUID()}.json`);
    try {
      expect(await runPrivacy({ action: "export", email, site: BASE, token, out })).toContain("Exported 2 comment(s)");
      const file = JSON.parse(readFileSync(out, "utf8")) as { email: string; comments: { author: { email: string } }[] };
      expect(file.email).toBe(email);
      expect(file.comments.every((c) => c.author.email === email)).toBe(true);
      expect(await runPrivacy({ action: "erase", email, site: BASE, token })).toContain("2 comment(s) purged");
      await runPrivacy({ action: "export", email, site: BASE, token, out });
      expect(JSON.parse(readFileSync(out, "utf8")).comments).toEqual([]);
      await expect(runPrivacy({ action: "erase", email, site: BASE, token: "wrong-token-wrong-token" })).rejects.toThrow(
        /refused \(401\): A valid admin token is required/,
      );
      await expect(runPrivacy({ action: "erase", email, site: "http://127.0.0.1:9", token })).rejects.toThrow(/does not answer/);
    } finally {
      rmSync(out, { force: true });
    }
  });
});

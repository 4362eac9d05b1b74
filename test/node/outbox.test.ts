// npm start keeps a copy of each email wrangler's simulator sends (its own files go when it restarts).
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emailKeeper } from "../../scripts/outbox.ts";

describe("the local outbox", () => {
  it("keeps each email wrangler announces, one file per message, from output cut anywhere", () => {
    const tmp = mkdtempSync(join(tmpdir(), "billet-outbox-"));
    const out = join(tmp, "emails");
    const messages = Array.from({ length: 120 }, (_, i) => {
      const text = join(tmp, `email-text-${i}.txt`);
      const html = join(tmp, `email-html-${i}.html`);
      writeFileSync(text, `Texte ${i}\nbillet-ref:abc.${"x".repeat(43)}`);
      writeFileSync(html, `<p>HTML ${i}</p>`);
      return `[wrangler:info] \u001b[34msend_email binding called with MessageBuilder:\u001b[39m\nFrom: "Billet" <billet@localhost>\nTo: author@localhost\nSubject: À modérer ${i}\n\nText: ${text}\nHTML: ${html}\n[wrangler:info] GET /api/config 200 OK\n`;
    });
    let n = 0;
    const keeper = emailKeeper(out, () => new Date(Date.UTC(2026, 11, 2, 10, 0, n++ % 60)));
    const all = messages.join("");
    // Chunks of odd sizes, as a pipe gives them.
    for (let i = 0; i < all.length; i += 97) keeper.write(all.slice(i, i + 97));
    const files = readdirSync(out).sort();
    expect(files.filter((f) => f.endsWith(".txt"))).toHaveLength(120);
    expect(files.filter((f) => f.endsWith(".html"))).toHaveLength(120);
    const first = keeper.kept.find((f) => f.endsWith("-1.txt"))!;
    expect(readFileSync(first, "utf8")).toBe(
      `From: "Billet" <billet@localhost>\nTo: author@localhost\nSubject: À modérer 0\n\nTexte 0\nbillet-ref:abc.${"x".repeat(43)}`,
    );
    expect(readFileSync(first.replace(/\.txt$/, ".html"), "utf8")).toBe("<p>HTML 0</p>");
  });

  it("keeps nothing from other output", () => {
    const out = join(mkdtempSync(join(tmpdir(), "billet-outbox-")), "emails");
    const keeper = emailKeeper(out);
    keeper.write("From: someone\nText: /etc/hostname\nSubject: x\n");
    expect(keeper.kept).toEqual([]);
  });
});

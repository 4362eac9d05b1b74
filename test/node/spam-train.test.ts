import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { REBUILD_MARKER, rebuildSql, trainingSql } from "../../scripts/spam-train.ts";
import { addDeltas, DOCUMENTS, type FeatureCounts, features, trainingDelta } from "../../workers/spam/classifier.ts";
import { renderCommentHtml } from "../../workers/render/markdown.ts";
import { freshDb } from "./sqlite.ts";

type Row = Parameters<typeof trainingSql>[0][number];
const rows = (db: DatabaseSync) => db.prepare("SELECT * FROM comments ORDER BY id").all() as unknown as Row[];
const count = (db: DatabaseSync, feature: string) =>
  db.prepare("SELECT spam, ham FROM spam_features WHERE feature = ?").get(feature) as { spam: number; ham: number } | undefined;

describe("npm run spam:train", () => {
  it("teaches ham from approved comments and spam from spam, nothing from the others, and nothing twice", () => {
    const db = freshDb();
    const insert = db.prepare(
      "INSERT INTO comments (post_slug, author_name, author_url, content, html, status, created_at, updated_at) VALUES ('p', ?, ?, ?, ?, ?, 1, 1)",
    );
    const add = (name: string, content: string, status: string, url: string | null = null) =>
      insert.run(name, url, content, renderCommentHtml(content), status);
    add("Casino King", "Best casino bonus https://casino.example", "spam", "https://casino.example");
    add("Casino Queen", "Casino bonus again https://casino.example", "spam");
    add("Jeanne", "Merci pour ce billet, très juste.", "approved");
    add("Paul", "Je ne suis pas d’accord avec le troisième point.", "pending");
    add("Bot", "deleted casino", "deleted");

    const first = trainingSql(rows(db));
    expect(first).toMatchObject({ spam: 2, ham: 1 });
    db.exec(first.sql);
    expect(count(db, DOCUMENTS)).toEqual({ spam: 2, ham: 1 });
    expect(count(db, "casino")).toEqual({ spam: 2, ham: 0 });
    expect(count(db, "host:casino.example")).toEqual({ spam: 2, ham: 0 });
    expect(count(db, "merci")).toEqual({ spam: 0, ham: 1 });
    expect(count(db, "d’accord")).toBeUndefined();
    // Every feature of the approved comment, exactly as the Worker extracts them.
    const jeanne = rows(db)[2];
    for (const f of features({ authorName: jeanne.author_name, content: jeanne.content, html: jeanne.html })) expect(count(db, f)!.ham).toBe(1);
    expect(rows(db).map((r) => r.trained_as)).toEqual(["spam", "spam", "ham", null, null]);

    const again = trainingSql(rows(db));
    expect(again).toMatchObject({ spam: 0, ham: 0 });
    db.exec(again.sql);
    expect(count(db, DOCUMENTS)).toEqual({ spam: 2, ham: 1 });
  });

  it("rebuilds the whole memory from what the comments taught (trained_as), with today's features, after the migration that changed them", () => {
    const db = freshDb();
    const insert = db.prepare(
      "INSERT INTO comments (post_slug, author_name, author_url, content, html, status, trained_as, created_at, updated_at) VALUES ('p', ?, ?, ?, ?, ?, ?, 1, 1)",
    );
    // 150 decided comments with many words (over 200 features: several statements), in an odd
    // order; one the author changed their mind on (approved, taught as ham), one decided but
    // deleted since (it still taught), one never taught (pending), one spam not taught yet.
    const taught: { content: string; as: "spam" | "ham" | null; status: string; name: string }[] = [];
    for (let i = 0; i < 150; i++) {
      const spam = (i * 7) % 3 === 0;
      const content = spam
        ? `W1N c@sh now ${i} prize${i % 11} http://win${i % 5}.example`
        : `Merci pour le billet numéro ${i}, mot${"abcdefghijklm"[i % 13]} et idée${"abcdefghijklmnopq"[i % 17]}.`;
      taught.push({ content, as: spam ? "spam" : "ham", status: spam ? "spam" : "approved", name: spam ? `Promo ${i % 4}` : `Lecteur ${i}` });
    }
    taught.push({ content: "Changed my mind: fr33 but fine", as: "ham", status: "approved", name: "Alix" });
    taught.push({ content: "Deleted since, after teaching spam 4u", as: "spam", status: "deleted", name: "Bot" });
    taught.push({ content: "Waiting", as: null, status: "pending", name: "Zoé" });
    taught.push({ content: "Spam not taught yet", as: null, status: "spam", name: "Bot" });
    for (const t of taught) insert.run(t.name, null, t.content, renderCommentHtml(t.content), t.status, t.as);
    // The memory as an older description left it: counts of features that no longer exist.
    db.exec("INSERT INTO spam_features (feature, spam, ham) VALUES (' documents', 9, 9), ('old:feature', 5, 1), ('merci', 0, 3)");

    const migration = readdirSync(join(ROOT, "migrations")).find((f) => f.endsWith("_spam-features-mixed-shapes.sql"))!;
    for (const stmt of readFileSync(join(ROOT, "migrations", migration), "utf8").split("--> statement-breakpoint")) db.exec(stmt);
    // Emptied, but for the row that asks for a rebuild, which no comment's feature can be.
    expect(db.prepare("SELECT feature FROM spam_features").all()).toEqual([{ feature: REBUILD_MARKER }]);
    expect(features({ authorName: " rebuild", content: " rebuild", html: "" })).not.toContain(REBUILD_MARKER);
    // A decision the Worker takes before the rebuild: the marker stays, the rebuild still comes.
    db.exec("INSERT INTO spam_features (feature, spam, ham) VALUES (' documents', 0, 1), ('merci', 0, 1)");
    expect((db.prepare("SELECT count(*) AS n FROM comments WHERE trained_as IS NOT NULL").get() as { n: number }).n).toBe(152);

    const rebuilt = rebuildSql(rows(db));
    expect(rebuilt).toMatchObject({ spam: 51, ham: 101 });
    expect(rebuilt.sql.match(/^INSERT INTO spam_features/gm)!.length).toBeGreaterThan(1);
    // Cut short before its last statement, the rebuild is still asked for.
    const cut = freshDb();
    cut.exec(rebuilt.sql.slice(0, rebuilt.sql.lastIndexOf("DELETE")));
    expect(cut.prepare("SELECT count(*) AS n FROM spam_features WHERE feature = ?").get(REBUILD_MARKER)).toEqual({ n: 1 });
    db.exec(rebuilt.sql);
    const expected = new Map<string, FeatureCounts>();
    for (const r of rows(db))
      if (r.trained_as)
        addDeltas(
          expected,
          trainingDelta(
            features({ authorName: r.author_name, authorEmail: r.author_email, authorUrl: r.author_url, content: r.content, html: r.html }),
            r.trained_as as "spam" | "ham",
            null,
          ),
        );
    const stored = db.prepare("SELECT feature, spam, ham FROM spam_features").all() as { feature: string; spam: number; ham: number }[];
    expect(new Map(stored.map((r) => [r.feature, { spam: r.spam, ham: r.ham }]))).toEqual(expected);
    expect(count(db, "old:feature")).toBeUndefined();
    expect(count(db, REBUILD_MARKER)).toBeUndefined();
    expect(count(db, DOCUMENTS)).toEqual({ spam: 51, ham: 101 });
    expect(count(db, "mixed:a9")).toEqual({ spam: 50, ham: 1 });
    expect(count(db, "mixed:a@a")!.spam).toBe(50);

    // Rebuilding again gives the same memory: nothing counted twice. Nothing was marked taught.
    db.exec(rebuildSql(rows(db)).sql);
    expect(db.prepare("SELECT feature, spam, ham FROM spam_features").all()).toEqual(stored);
    expect(rows(db).filter((r) => r.trained_as).length).toBe(152);
  });
});

import type { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { trainingSql } from "../../scripts/spam-train.ts";
import { DOCUMENTS, features } from "../../workers/spam/classifier.ts";
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
});

// A fresh in-memory database with billet's migrations applied (node:sqlite, the engine D1 runs on),
// for tests of the SQL the Node tools write.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ROOT } from "../../scripts/content.ts";

export function freshDb(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  const dir = join(ROOT, "migrations");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const stmt of readFileSync(join(dir, file), "utf8").split("--> statement-breakpoint")) if (stmt.trim()) db.exec(stmt);
  }
  return db;
}

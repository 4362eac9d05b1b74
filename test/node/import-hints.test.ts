// What npm run import and npm run export tell the author to do next: the restore command for the
// database the export came from, --map lines that hold for pages too, and no Node warning.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { restoreCommand } from "../../scripts/export.ts";
import { parseArgs, runImport } from "../../scripts/import.ts";

const tmp = mkdtempSync(join(tmpdir(), "billet-hints-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm run export", () => {
  it("names the restore command for the database it read: --remote after a remote export", () => {
    expect(restoreCommand("build/c.json", { remote: true })).toBe("npm run import -- build/c.json --remote");
    expect(restoreCommand("build/c.json", { remote: false })).toBe("npm run import -- build/c.json");
    expect(restoreCommand("/tmp/my file.json", { remote: false, persistTo: "/tmp/state" })).toBe(
      "npm run import -- '/tmp/my file.json' --persist-to /tmp/state",
    );
  });

  it("prints no Node warning", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "scripts", "export.ts"), "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(run.stderr).toContain("usage: npm run export");
    expect(run.stderr).not.toMatch(/Warning/);
  });
});

describe("a restore whose thread matches nothing", () => {
  it("asks for a post's or a page's slug, naming both folders", async () => {
    const content = join(tmp, "content");
    cpSync(join(ROOT, "content"), content, { recursive: true });
    const file = join(tmp, "comments.json");
    const comment = (id: number, slug: string) => ({
      id,
      post_slug: slug,
      parent_id: null,
      root_id: null,
      depth: 0,
      author_name: "Ann",
      content: `Bonjour ${id}`,
      html: `<p>Bonjour ${id}</p>`,
      status: "approved",
      created_at: "2024-01-01T10:00:00.000Z",
      updated_at: "2024-01-01T10:00:00.000Z",
    });
    writeFileSync(file, JSON.stringify({ format: "billet-comments", version: 1, site: "https://b.example", count: 1, comments: [comment(1, "a-propos")] }));
    const lines: string[] = [];
    await runImport(parseArgs([file, "--dry-run", "--sql", join(tmp, "x.sql"), "--content", content]), (l) => lines.push(l));
    const log = lines.join("\n");
    expect(log).toContain("give the slug of its post (content/posts) or page (content/pages)");
    expect(log).not.toContain("(in content/posts)");
    await expect(
      runImport(parseArgs([file, "--dry-run", "--sql", join(tmp, "x.sql"), "--content", content, "--map", "a-propos=nope"]), () => {}),
    ).rejects.toThrow(/no post or page "nope"/);
  });
});

// A newcomer's own blog: the export's title, address, language, author and time zone go into
// content/site.json (unasked while it is the starter's, with --site-json otherwise), and the
// summary says so. One rule for times: every post's and comment's time shows in site.json's zone.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/content.ts";
import { parseArgs, runImport } from "../../scripts/import.ts";
import { zoneOfOffsets } from "../../scripts/import/site.ts";
import { zonedTime } from "../../scripts/import/formats.ts";

const FULL = join(ROOT, "test", "fixtures", "import", "wxr-full.xml");
const tmp = mkdtempSync(join(tmpdir(), "billet-site-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

function contentDir(site?: Record<string, unknown>): string {
  const dir = join(tmp, `content-${n++}`);
  cpSync(join(ROOT, "content"), dir, { recursive: true });
  if (site) writeFileSync(join(dir, "site.json"), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, "site.json"), "utf8")), ...site }));
  return dir;
}

async function run(file: string, content: string, args: string[] = []) {
  const lines: string[] = [];
  await runImport(parseArgs([file, "--sql", join(tmp, `x-${n++}.sql`), "--content", content, "--dry-run", ...args]), (l) => lines.push(l));
  return lines.join("\n");
}

const site = (content: string) => JSON.parse(readFileSync(join(content, "site.json"), "utf8"));

describe("the old blog's name, address, language and zone for site.json", () => {
  it("fills in the starter's site.json, keeping what the export does not say", async () => {
    const content = contentDir();
    const { runPipeline } = await import("../../scripts/import/run.ts");
    const r = await runPipeline({ ...parseArgs([FULL, "--sql", join(tmp, "a.sql"), "--content", content]), progress: false });
    expect(r.siteOffer!.written).toBe(true);
    expect(site(content)).toEqual({
      title: "Carnet de Marie",
      description: "Notes",
      author: "Marie Curie-Dupont",
      url: "https://www.carnet.example.net",
      lang: "en",
      // Its posts' offsets (+02:00 in July 2009, +01:00 in August 2010) fit no zone: the one it had stays.
      timezone: "Europe/Paris",
    });
  });

  it("says on a dry run that the starter's would be filled in", async () => {
    const content = contentDir();
    const log = await run(FULL, content);
    expect(log).toMatch(/The old blog's title "Carnet de Marie".* would be written into .*site\.json \(still the starter's\)\./);
    expect(site(content).title).toBe("Le blog d’Arnaud");
  });

  it("offers them for a site.json of one's own, and writes them with --site-json; never on a dry run", async () => {
    const own = { title: "Mon carnet", url: "https://carnet.example.fr", timezone: "America/New_York" };
    const content = contentDir(own);
    const log = await run(FULL, content);
    expect(log).toContain(
      'The old blog\'s title "Carnet de Marie", description "Notes", author "Marie Curie-Dupont", url "https://www.carnet.example.net", lang "en" differ from',
    );
    expect(log).toContain("add --site-json to write them there (not on a dry run)");
    expect(site(content)).toMatchObject(own);
    const { runPipeline } = await import("../../scripts/import/run.ts");
    await runPipeline({ ...parseArgs([FULL, "--sql", join(tmp, "b.sql"), "--content", content]), progress: false });
    expect(site(content)).toMatchObject(own);
    await runPipeline({ ...parseArgs([FULL, "--sql", join(tmp, "c.sql"), "--content", content, "--site-json"]), progress: false });
    expect(site(content)).toMatchObject({ title: "Carnet de Marie", timezone: "America/New_York" });
  });

  it("offers the zone its posts' dates were written in (all in winter at +00:00: London's)", async () => {
    const content = contentDir({ url: "https://carnet.example.fr", timezone: "America/New_York" });
    const log = await run(join(ROOT, "test", "fixtures", "import", "wxr-duplicates.xml"), content);
    expect(log).toMatch(/The old blog's .*timezone "Europe\/London" differ from/);
  });

  it("finds a zone that gives every date its offset, the current one first", () => {
    const at = (y: number, mo: number, zone: string) => {
      const t = zonedTime(y, mo, 10, 12, 0, 0, zone);
      return { t, offsetMinutes: Math.round((Date.UTC(y, mo - 1, 10, 12) - t) / 60_000) };
    };
    const ny = [at(2010, 1, "America/New_York"), at(2010, 7, "America/New_York"), at(2015, 3, "America/New_York")];
    expect(zoneOfOffsets(ny, "de", "Europe/Paris")).toBe("America/New_York");
    expect(zoneOfOffsets(ny, "fr", "Europe/Paris")).toBe("America/Montreal");
    expect(zoneOfOffsets(ny, "en", "America/Toronto")).toBe("America/Toronto");
    const paris = [at(2009, 7, "Europe/Paris"), at(2008, 1, "Europe/Paris")];
    expect(zoneOfOffsets(paris, "fr", "UTC")).toBe("Europe/Paris");
    // London was at +01:00 all year in 1970.
    expect(zoneOfOffsets([{ t: 0, offsetMinutes: 0 }], "xx", "Asia/Kolkata")).toBe("UTC");
    expect(zoneOfOffsets([{ t: 0, offsetMinutes: 7 }], "fr", "Europe/Paris")).toBeNull();
    expect(zoneOfOffsets([], "fr", "Europe/Paris")).toBeNull();
  });
});

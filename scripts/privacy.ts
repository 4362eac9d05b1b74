// npm run privacy -- export <email> [--out file.json] | erase <email> [--site URL] [--token TOKEN]
//
// A commenter's request about their data, answered from the command line: export writes everything
// billet keeps for that email address, whatever its case (comments, the blocks on them,
// subscriptions, the log entries naming their comments) to a JSON file; erase purges their comments
// (an empty place stays above replies), lifts those blocks, forgets their subscriptions and
// unlearns what the spam filter learned from them. Both go through the site's admin API, the same code as the moderation page:
// locally http://127.0.0.1:8787 with the token in .dev.vars (npm start), or your site with
// --site https://… and --token (or BILLET_ADMIN_TOKEN).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./content.ts";

export interface PrivacyOptions {
  action: "export" | "erase";
  email: string;
  site: string;
  token: string;
  out?: string;
}

function localToken(): string {
  const file = join(ROOT, ".dev.vars");
  return existsSync(file) ? (/^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(file, "utf8"))?.[1].trim() ?? "") : "";
}

/** Does what was asked; returns what it did, in a sentence. Throws with the server's words on a refusal. */
export async function runPrivacy(opts: PrivacyOptions): Promise<string> {
  const url = `${opts.site.replace(/\/+$/, "")}/api/admin/commenters?email=${encodeURIComponent(opts.email)}`;
  let res: Response;
  try {
    res = await fetch(url, { method: opts.action === "erase" ? "DELETE" : "GET", headers: { Authorization: `Bearer ${opts.token}` } });
  } catch {
    throw new Error(`${opts.site} does not answer: is the site running (npm start), or is --site right?`);
  }
  const body = (await res.json().catch(() => null)) as {
    error?: { message?: string };
    erased?: { comments: number; blocks: number };
    comments?: unknown[];
  } | null;
  if (!res.ok) throw new Error(`${opts.site} refused (${res.status}): ${body?.error?.message ?? "no details"}`);
  if (opts.action === "erase")
    return `Erased for ${opts.email}: ${body!.erased!.comments} comment(s) purged, ${body!.erased!.blocks} block(s) lifted, subscriptions forgotten, the spam filter's counts from them unlearned.`;
  const file =
    opts.out ??
    join(
      ROOT,
      "build",
      `commenter-${opts.email
        .trim()
        .toLowerCase()
        .replace(/[^\w.@-]/g, "_")}.json`,
    );
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
  return `Exported ${body!.comments!.length} comment(s) of ${opts.email} to ${file} (it holds personal data: keep it private).`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { site: { type: "string" }, token: { type: "string" }, out: { type: "string" } },
  });
  const [action, email] = positionals;
  if ((action !== "export" && action !== "erase") || !email) {
    console.error("npm run privacy -- export <email> [--out file.json] | erase <email>   [--site https://your.site --token TOKEN]");
    process.exit(2);
  }
  const token = values.token ?? process.env.BILLET_ADMIN_TOKEN ?? localToken();
  try {
    console.log(await runPrivacy({ action, email, site: values.site ?? "http://127.0.0.1:8787", token, out: values.out }));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  }
}

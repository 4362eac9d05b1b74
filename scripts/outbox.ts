// Local email, kept: wrangler's simulator prints each email the Worker sends and writes its text and
// HTML to temporary files, which go when wrangler restarts. `npm start` passes wrangler's output
// through this, which keeps a copy of each message in build/emails/: <time>-<n>.txt (From, To,
// Subject, then the text) and, beside it, the .html.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";

/** A reader of wrangler's output, line by line, that keeps each email it announces in `dir`; answers the files written. */
export function emailKeeper(dir: string, now: () => Date = () => new Date()) {
  let headers: string[] | null = null;
  let count = 0;
  let pending = "";
  let base = "";
  const kept: string[] = [];
  const line = (raw: string) => {
    const text = stripVTControlCharacters(raw);
    if (text.includes("send_email binding called")) {
      headers = [];
      count++;
      base = join(dir, `${now().toISOString().replace(/[:.]/g, "-")}-${count}`);
      return;
    }
    if (!headers) return;
    const header = /\b(From|To|Cc|Bcc|Subject): (.*)$/.exec(text);
    const file = /\b(Text|HTML|Email): (\S+)\s*$/.exec(text);
    if (file && existsSync(file[2])) {
      mkdirSync(dir, { recursive: true });
      if (file[1] === "HTML") {
        copyFileSync(file[2], `${base}.html`);
        kept.push(`${base}.html`);
      } else {
        const extension = file[1] === "Email" ? "eml" : "txt";
        writeFileSync(`${base}.${extension}`, `${headers.join("\n")}${headers.length ? "\n\n" : ""}${readFileSync(file[2], "utf8")}`);
        kept.push(`${base}.${extension}`);
      }
    } else if (header) headers.push(`${header[1]}: ${header[2]}`);
  };
  return {
    /** Feeds a chunk of output (lines may be split across chunks). */
    write(chunk: string) {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const l of lines) line(l);
    },
    kept,
  };
}

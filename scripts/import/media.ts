// The old blog's media brought along by a WordPress import. Every address of the old site's
// wp-content/uploads/ in the export (attachments, <img src>, srcset, links to full-size files,
// galleries, audio and video, cover blocks' background images) is looked up in a copy of the
// uploads folder (--media), or fetched from the old host (--fetch-media), and copied into
// content/media/<same path as under uploads>; the posts then point at /media/<path> (the build
// serves them). What could not be brought stays at its old address (or on --media-host /
// --media-base) and is listed. The post HTML is also made to show under billet's CSP: inline
// styles go (a background image becomes an <img> in its block, so no cover comes out blank), and
// frames of hosts not in site.json's embed_hosts become a link to what they showed.
import { copyFileSync, existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { normalizeHost } from "../../workers/http/csp.ts";

export interface MediaOptions {
  /** --media: a copy of the old wp-content/uploads (year/month/file). */
  folder?: string;
  /** --fetch-media: fetch from the old host what the folder does not have. */
  fetch?: boolean;
  /** --media-host: media not brought are served from this host (and allowed there by the CSP). */
  mediaHost?: string;
  /** --media-base: media not brought move to this base (the old origin replaced, the path kept). */
  mediaBase?: string;
  /** Hosts of the old site. */
  oldHosts: string[];
  /** content/: media go into content/media/. */
  contentDir: string;
  dryRun: boolean;
  /** site.json's embed_hosts: frames of these hosts are kept. */
  embedHosts: string[];
}

/** Why a medium was not brought. */
export type MissingReason = "not in the --media folder" | "no --media folder" | "fetch failed" | "over 300 MiB";

/** Files above this stay where they are: wrangler uploads at most 300 MiB in one object to R2. */
export const MAX_MEDIA_BYTES = 300 * 1024 * 1024;

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const STOP = `\\s"'<>)\\]\\\\`;

/** The relative path under uploads/ as a safe file path (decoded, no "..", no empty part), or null. */
export function safeRelative(raw: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(raw.replace(/[?#].*$/, ""));
  } catch {
    return null;
  }
  const parts = path.split("/");
  if (!parts.length || parts.some((p) => p === "" || p === "." || p === ".." || /[\\\0]/.test(p))) return null;
  return parts.join("/");
}

/** billet's address for a medium: /media/<path>, each part encoded. */
export const mediaAddress = (rel: string) => `/media/${rel.split("/").map(encodeURIComponent).join("/")}`;

/** WordPress's resized copy (name-300x200.jpg) → its full-size file (name.jpg), else null. */
const fullSize = (rel: string) => {
  const m = /^(.*)-\d+x\d+(\.[a-z0-9]+)$/i.exec(rel);
  return m ? `${m[1]}${m[2]}` : null;
};

export class MediaImport {
  readonly opts: MediaOptions;
  private readonly pattern: RegExp;
  /** Relative path → the file it is served as (a resized copy missing from the folder uses its full size). */
  readonly brought = new Map<string, string>();
  /** Relative path → why not. */
  readonly missing = new Map<string, MissingReason>();
  /** Files copied or fetched into content/media/ by this run (0 on a dry run). */
  written = 0;
  /** Resized copies shown with their full-size file. */
  fullSizeUsed = 0;
  /** Frames turned into links, and background images turned into images. */
  framesLinked = 0;
  backgrounds = 0;
  /** Inline style attributes removed. */
  stylesRemoved = 0;
  /** The first absolute address seen for each relative path (to fetch it). */
  private readonly source = new Map<string, string>();

  constructor(opts: MediaOptions) {
    this.opts = opts;
    const hosts = [...new Set(opts.oldHosts.map((h) => h.toLowerCase().replace(/^www\./, "")).filter(Boolean))].map(escapeRe);
    // An absolute address on the old site (www. or not, Jetpack's i0.wp.com copies too), or a
    // root-relative one; then the blog's folder, wp-content/uploads/ and the file's path.
    const absolute = hosts.length ? `(?:https?:)?//(?:i\\d\\.wp\\.com/)?(?:www\\.)?(?:${hosts.join("|")})(?::\\d+)?` : "(?!)";
    this.pattern = new RegExp(
      `(${absolute}|(?<=^|["'(,=\\s])(?=/))((?:/[^${STOP}?#/]+)*?)/wp-content/uploads/([^${STOP}?#]+?)((?:[?#][^${STOP}]*)?)(?=&quot;|&#0?39;|[${STOP}]|,\\s|$)`,
      "gi",
    );
  }

  /** Old-site upload addresses in some text, as [address, relative path]. */
  addresses(text: string): [string, string][] {
    const out: [string, string][] = [];
    for (const m of text.matchAll(this.pattern)) {
      const rel = safeRelative(m[3]);
      if (rel) out.push([m[0], rel]);
    }
    return out;
  }

  /** Brings in what these texts and addresses name (the folder first, then the old host). */
  async bring(texts: Iterable<string>): Promise<void> {
    for (const text of texts) {
      for (const [address, rel] of this.addresses(text)) {
        if (!this.source.has(rel) && /^(https?:)?\/\//i.test(address)) this.source.set(rel, address.startsWith("//") ? `https:${address}` : address);
        if (!this.brought.has(rel) && !this.missing.has(rel)) this.fromFolder(rel);
      }
    }
    if (this.opts.fetch && !this.opts.dryRun) await this.fetchMissing();
  }

  private fromFolder(rel: string): void {
    const folder = this.opts.folder;
    if (!folder) {
      this.missing.set(rel, "no --media folder");
      return;
    }
    const candidates = [rel, fullSize(rel)].filter((r): r is string => r !== null);
    for (const candidate of candidates) {
      const file = join(folder, candidate);
      let size: number;
      try {
        const s = statSync(file);
        if (!s.isFile()) continue;
        size = s.size;
      } catch {
        continue;
      }
      if (size > MAX_MEDIA_BYTES) {
        this.missing.set(rel, "over 300 MiB");
        return;
      }
      if (candidate !== rel) this.fullSizeUsed++;
      this.brought.set(rel, candidate);
      if (!this.opts.dryRun) this.copy(file, candidate);
      return;
    }
    this.missing.set(rel, "not in the --media folder");
  }

  /** Copies a file into content/media/ unless the same one (size and time) is there. */
  private copy(file: string, rel: string): void {
    const target = join(this.opts.contentDir, "media", rel);
    const from = statSync(file);
    if (existsSync(target)) {
      const to = statSync(target);
      // utimes keeps milliseconds only.
      if (to.size === from.size && Math.abs(to.mtimeMs - from.mtimeMs) < 2) return;
    }
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    utimesSync(target, from.atime, from.mtime);
    this.written++;
  }

  private async fetchMissing(): Promise<void> {
    const queue = [...this.missing.keys()].filter((rel) => this.source.has(rel) && this.missing.get(rel) !== "over 300 MiB");
    const worker = async () => {
      for (let rel = queue.shift(); rel !== undefined; rel = queue.shift()) {
        const target = join(this.opts.contentDir, "media", rel);
        if (existsSync(target)) {
          this.missing.delete(rel);
          this.brought.set(rel, rel);
          continue;
        }
        try {
          const res = await fetch(this.source.get(rel)!, { redirect: "follow", signal: AbortSignal.timeout(60_000) });
          // A soft 404 (an HTML page answered 200) is not the file.
          if (!res.ok || /text\/html/i.test(res.headers.get("content-type") ?? "")) {
            await res.body?.cancel();
            this.missing.set(rel, "fetch failed");
            continue;
          }
          const body = Buffer.from(await res.arrayBuffer());
          if (body.length > MAX_MEDIA_BYTES) {
            this.missing.set(rel, "over 300 MiB");
            continue;
          }
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, body);
          this.written++;
          this.missing.delete(rel);
          this.brought.set(rel, rel);
        } catch {
          this.missing.set(rel, "fetch failed");
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }

  /** Where an old address not brought goes: --media-host, --media-base, or where it is. */
  private elsewhere(address: string, folder: string, rel: string, query: string): string {
    const host = this.opts.mediaHost ? normalizeHost(this.opts.mediaHost) : null;
    const path = `${folder}/wp-content/uploads/${rel.split("/").map(encodeURIComponent).join("/")}${query}`;
    if (host) return `https://${host}${path}`;
    if (this.opts.mediaBase) return `${this.opts.mediaBase.replace(/\/+$/, "")}${path}`;
    return address;
  }

  /** Whether an address of the export was brought in. */
  isBrought(address: string): boolean {
    const [hit] = this.addresses(address);
    return hit !== undefined && this.brought.has(hit[1]);
  }

  /** A post's HTML with its media at their new addresses and made to show under the CSP. */
  rewrite(html: string): string {
    let out = html.replace(this.pattern, (address: string, _origin: string, folder: string, raw: string, query: string) => {
      const rel = safeRelative(raw);
      if (!rel) return address;
      const file = this.brought.get(rel);
      return file ? mediaAddress(file) : this.elsewhere(address, folder, rel, query);
    });
    out = this.backgroundImages(out);
    out = this.frames(out);
    out = this.blockEmbeds(out);
    return this.withoutStyles(out);
  }

  /** An element with a background image (a cover block) gets the image as its first child. */
  private backgroundImages(html: string): string {
    return html.replace(
      /<([a-z][\w-]*)([^>]*?)\sstyle\s*=\s*("[^"]*"|'[^']*')([^>]*)>/gi,
      (tag: string, name: string, before: string, style: string, after: string) => {
        const m = /background(?:-image)?\s*:[^;]*?url\(\s*(?:&quot;|&#0?39;|["'])?([^"')&]+?)(?:&quot;|&#0?39;|["'])?\s*\)/i.exec(style.slice(1, -1));
        if (!m) return tag;
        this.backgrounds++;
        const src = m[1].replace(/"/g, "&quot;");
        const cls = /wp-block-cover/.test(`${before}${after}`) ? "wp-block-cover__image-background" : "background-image";
        return `<${name}${before}${after}><img class="${cls}" src="${src}" alt="">`;
      },
    );
  }

  /** <iframe>: kept for the hosts of embed_hosts, else a link to what it showed. */
  private frames(html: string): string {
    const allowed = new Set(this.opts.embedHosts.map((h) => normalizeHost(h)).filter(Boolean));
    return html.replace(/<iframe\b([^>]*)>[\s\S]*?<\/iframe>|<iframe\b([^>]*)\/?>/gi, (tag: string, a: string | undefined, b: string | undefined) => {
      const attrs = a ?? b ?? "";
      const src = /\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
      const url = src ? (src[1] ?? src[2]).replace(/^\/\//, "https://") : "";
      let host: string | null = null;
      try {
        host = new URL(url.replace(/&amp;/g, "&")).host.toLowerCase();
      } catch {
        // not an address: nothing to show
      }
      if (host && allowed.has(host)) return tag;
      this.framesLinked++;
      if (!host) return "";
      const title = /\stitle\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attrs);
      const text = title ? (title[1] ?? title[2]) : url;
      return `<a class="embed" href="${url.replace(/"/g, "&quot;")}">${text.replace(/</g, "&lt;")}</a>`;
    });
  }

  /** The block editor's embeds keep only the address in the page: made a link. */
  private blockEmbeds(html: string): string {
    return html.replace(
      /(<div class="wp-block-embed__wrapper">)\s*(https?:\/\/[^\s<>"]+)\s*(<\/div>)/gi,
      (_: string, open: string, url: string, close: string) => `${open}<a class="embed" href="${url}">${url}</a>${close}`,
    );
  }

  /** Inline styles are refused by the CSP: removed (classes keep the block editor's layout names). */
  private withoutStyles(html: string): string {
    return html
      .replace(/<style\b[\s\S]*?<\/style>/gi, () => {
        this.stylesRemoved++;
        return "";
      })
      .replace(/(<[a-z][\w-]*\b[^>]*?)\sstyle\s*=\s*(?:"[^"]*"|'[^']*')/gi, (_: string, start: string) => {
        this.stylesRemoved++;
        return start;
      });
  }
}

/** --media accepts the uploads folder itself, or a folder holding wp-content/uploads or uploads. */
export function uploadsFolder(folder: string): string {
  for (const inner of [join(folder, "wp-content", "uploads"), join(folder, "uploads")]) {
    if (existsSync(inner) && statSync(inner).isDirectory()) return inner;
  }
  return folder;
}

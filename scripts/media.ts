// The old blog's media (content/media/, brought in by npm run import -- --media) on their way out:
// the build puts each into the static assets (public/media/, hard-linked) while it fits
// Cloudflare's limits for assets — 25 MiB a file, 20,000 files a Worker version — and lists the
// others in build/media-r2.json; npm start and npm run deploy put those into the R2 bucket MEDIA
// (the Worker serves them at the same /media/ address). Uploads go by content hash: a file already
// there with the same bytes is not sent again.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { mediaType } from "../workers/store/media.ts";

/** Cloudflare's limits for a Worker's static assets. */
export const ASSET_MAX_BYTES = 25 * 1024 * 1024;
export const ASSET_MAX_FILES = 20_000;
/** Files kept free under the count limit for the pages, feeds and scripts a later build adds. */
const HEADROOM = 500;

export interface R2Medium {
  /** The object's key: media/<path>. */
  key: string;
  /** The file, relative to the project. */
  file: string;
  size: number;
  type: string;
}

const listFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => statSync(join(dir, f)).isFile())
        .map((f) => f.split("\\").join("/"))
        .sort()
    : [];

/**
 * content/media/ → public/media/ (what fits the assets) and build/media-r2.json (the rest). Runs
 * after the pages are written, so the count of assets includes them.
 */
export function placeMedia(
  contentDir: string,
  publicDir: string,
  buildDir: string,
  root: string,
  limits = { maxFiles: ASSET_MAX_FILES - HEADROOM, maxBytes: ASSET_MAX_BYTES },
): { assets: number; r2: R2Medium[] } {
  const source = join(contentDir, "media");
  const target = join(publicDir, "media");
  rmSync(target, { recursive: true, force: true });
  const files = listFiles(source);
  let room = limits.maxFiles - listFiles(publicDir).length;
  let assets = 0;
  const r2: R2Medium[] = [];
  for (const rel of files) {
    const file = join(source, rel);
    const size = statSync(file).size;
    if (size <= limits.maxBytes && room > 0) {
      const to = join(target, rel);
      mkdirSync(dirname(to), { recursive: true });
      try {
        linkSync(file, to);
      } catch {
        copyFileSync(file, to);
      }
      room--;
      assets++;
    } else r2.push({ key: `media/${rel}`, file: relative(root, file), size, type: mediaType(rel) });
  }
  writeFileSync(join(buildDir, "media-r2.json"), `${JSON.stringify(r2, null, 1)}\n`);
  return { assets, r2 };
}

export const sha256File = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** The key holding what the bucket has (key → sha256), so an upload sends only what changed. */
export const MANIFEST_KEY = "billet/media-manifest.json";

/** What to upload: the media of the list whose bytes the manifest does not have. */
export function mediaToUpload(list: R2Medium[], manifest: Record<string, string>, root: string): (R2Medium & { sha256: string })[] {
  return list.map((m) => ({ ...m, sha256: sha256File(join(root, m.file)) })).filter((m) => manifest[m.key] !== m.sha256);
}

/**
 * Puts the media of build/media-r2.json into the bucket (local or remote, through `put`), those
 * not there yet with the same bytes; the manifest is saved every 20 files, so an interrupted
 * upload starts again near where it stopped. Returns how many were sent, of how many.
 */
export function uploadMedia(
  root: string,
  io: { readManifest: () => Record<string, string>; put: (m: R2Medium) => void; writeManifest: (file: string) => void },
): { sent: number; total: number } {
  const listFile = join(root, "build", "media-r2.json");
  const list = existsSync(listFile) ? (JSON.parse(readFileSync(listFile, "utf8")) as R2Medium[]) : [];
  if (!list.length) return { sent: 0, total: 0 };
  const manifest = io.readManifest();
  const todo = mediaToUpload(list, manifest, root);
  const manifestFile = join(root, "build", "media-manifest.json");
  const save = () => {
    writeFileSync(manifestFile, JSON.stringify(manifest));
    io.writeManifest(manifestFile);
  };
  for (const [i, m] of todo.entries()) {
    io.put(m);
    manifest[m.key] = m.sha256;
    if ((i + 1) % 20 === 0) save();
  }
  if (todo.length % 20 !== 0) save();
  return { sent: todo.length, total: list.length };
}

/** The R2 bucket of the MEDIA binding in wrangler.toml. */
export const mediaBucket = (config: { r2_buckets?: { binding: string; bucket_name?: string }[] }) =>
  config.r2_buckets?.find((b) => b.binding === "MEDIA")?.bucket_name;

/** The media of build/media-r2.json into the bucket, with wrangler: on Cloudflare, or local (npm start). */
export function uploadMediaWith(
  wrangler: (args: string[], opts: { quiet?: boolean; online?: boolean }) => string,
  root: string,
  bucket: string,
  where: { remote: true } | { remote: false; persistTo?: string },
): { sent: number; total: number } {
  const target = where.remote ? ["--remote"] : ["--local", ...(where.persistTo ? ["--persist-to", where.persistTo] : [])];
  const online = where.remote;
  // Locally the manifest lives with the local state (deleted with it); on Cloudflare, in the bucket.
  const localManifest = where.remote ? "" : join(where.persistTo ?? join(root, ".wrangler", "state"), "billet-media-manifest.json");
  return uploadMedia(root, {
    readManifest: () => {
      try {
        if (!where.remote) return existsSync(localManifest) ? JSON.parse(readFileSync(localManifest, "utf8")) : {};
        return JSON.parse(wrangler(["r2", "object", "get", `${bucket}/${MANIFEST_KEY}`, "--pipe", ...target], { quiet: true, online }));
      } catch {
        return {}; // none yet: everything is sent
      }
    },
    put: (m) =>
      wrangler(["r2", "object", "put", `${bucket}/${m.key}`, "--file", join(root, m.file), "--content-type", m.type, ...target], { quiet: true, online }),
    writeManifest: (file) => {
      if (!where.remote) {
        mkdirSync(dirname(localManifest), { recursive: true });
        copyFileSync(file, localManifest);
      } else
        wrangler(["r2", "object", "put", `${bucket}/${MANIFEST_KEY}`, "--file", file, "--content-type", "application/json", ...target], {
          quiet: true,
          online,
        });
    },
  });
}

// The old blog's media too large or too many for the static assets, in the R2 bucket MEDIA (written
// by npm run deploy and npm start from build/media-r2.json): /media/<path> is the object
// media/<path>. Also the media types by file name, for the uploads (scripts/media.ts) and answers.

/** The part of an R2 bucket this module reads with (generic: the module is also used from Node tools). */
interface MediaBucket<T> {
  get(key: string, options: { onlyIf: Headers; range: Headers }): Promise<T | null>;
}

/** How long browsers and Cloudflare's cache keep a medium (a WordPress upload never changes under its name). */
export const MEDIA_CACHE_CONTROL = "public, max-age=2592000";

const TYPES: Record<string, string> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  jpe: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  svg: "image/svg+xml",
  ico: "image/x-icon",
  bmp: "image/bmp",
  tif: "image/tiff",
  tiff: "image/tiff",
  heic: "image/heic",
  mp3: "audio/mpeg",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
  oga: "audio/ogg",
  wav: "audio/wav",
  flac: "audio/flac",
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  ogv: "video/ogg",
  pdf: "application/pdf",
  zip: "application/zip",
  txt: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  odt: "application/vnd.oasis.opendocument.text",
  epub: "application/epub+zip",
};

/** The media type of a file by its name (application/octet-stream when unknown). */
export function mediaType(name: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1].toLowerCase() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}

/** The R2 key of a medium's path under /media/ (decoded), or null for a path that is not one (.., empty parts). */
export function mediaKey(path: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return null;
  }
  const parts = decoded.split("/");
  if (decoded.length > 1000 || parts.some((p) => p === "" || p === "." || p === ".." || /[\\\0]/.test(p))) return null;
  return `media/${decoded}`;
}

/** The object for a request (its conditional and range headers applied), or null when absent. */
export async function readMedia<T>(bucket: MediaBucket<T>, key: string, headers: Headers): Promise<T | null> {
  return bucket.get(key, { onlyIf: headers, range: headers });
}

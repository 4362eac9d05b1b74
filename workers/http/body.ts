// Reading a request body: its type, its size and its encoding are checked before it is parsed.
import { ApiError } from "./answers.ts";

export const MAX_BODY_BYTES = 64 * 1024;

export type BodyKind = "json" | "form";

export function bodyKind(request: Request): BodyKind {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0].trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/x-www-form-urlencoded") return "form";
  throw new ApiError(415, "unsupported_media_type", "Send application/json or application/x-www-form-urlencoded.");
}

async function readText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ApiError(400, "invalid_encoding", "The body is not valid UTF-8.");
  }
}

/**
 * One name or value of a urlencoded body, decoded as URLSearchParams would (`+` is a space, a `%`
 * without two hex digits stays as it is), except that %-escapes which are not UTF-8 (`%FF`,
 * `%ED%A0%80`...) are refused instead of silently turned into U+FFFD.
 */
function formComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " ").replace(/%(?![0-9a-fA-F]{2})/g, "%25"));
  } catch {
    throw new ApiError(400, "invalid_encoding", "The form data is not valid UTF-8.");
  }
}

function tooLarge(): ApiError {
  return new ApiError(413, "payload_too_large", `The body is larger than ${MAX_BODY_BYTES / 1024} KiB.`);
}

/** The body as a plain object of fields, from JSON or a urlencoded form. */
export async function readFields(request: Request, kind: BodyKind): Promise<Record<string, unknown>> {
  const text = await readText(request);
  if (kind === "form") {
    const fields: Record<string, unknown> = {};
    for (const pair of text.split("&")) {
      if (pair === "") continue;
      const eq = pair.indexOf("=");
      const k = formComponent(eq < 0 ? pair : pair.slice(0, eq));
      if (!(k in fields)) fields[k] = eq < 0 ? "" : formComponent(pair.slice(eq + 1));
    }
    return fields;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "The body is not valid JSON.");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ApiError(400, "bad_request", "The body must be a JSON object.");
  }
  return value as Record<string, unknown>;
}

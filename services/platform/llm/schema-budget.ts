type Json = Record<string, unknown>;

/** Characters of JSON punctuation and whitespace allowed around each value (grammars admit some whitespace). */
const SLACK = 3;
/** Characters a number may take in a reply (grammars do not bound digits; models write short numbers). */
const NUMBER_CHARS = 24;
/** JSON text runs about 3 characters a token with small-model tokenizers (punctuation tokenizes alone). */
const CHARS_PER_TOKEN = 3;
/** Tokens for the chat template's end-of-turn and a little headroom. */
const TOKEN_HEADROOM = 16;

/**
 * The longest JSON text a schema admits, in characters: Infinity when something is unbounded (a string without
 * maxLength, an array without maxItems, open-ended keys). Escapes are not counted: models rarely write them.
 */
export function maxJsonChars(schema: unknown, defs: Json = {}, seen: ReadonlySet<string> = new Set()): number {
  if (schema === true || !schema || typeof schema !== 'object') return Infinity;
  const s = schema as Json;
  const allDefs = { ...defs, ...((s.$defs ?? s.definitions) as Json | undefined) };
  if ('const' in s) return JSON.stringify(s.const).length;
  if (Array.isArray(s.enum)) return Math.max(...s.enum.map((v) => JSON.stringify(v).length));
  if (typeof s.$ref === 'string') {
    const name = s.$ref.split('/').at(-1)!;
    if (seen.has(name) || !(name in allDefs)) return Infinity; // recursive schemas have no bound
    return maxJsonChars(allDefs[name], allDefs, new Set([...seen, name]));
  }
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return Math.max(...alternatives.map((a) => maxJsonChars(a, allDefs, seen)));
  if (Array.isArray(s.allOf) && s.allOf.length === 1) return maxJsonChars(s.allOf[0], allDefs, seen);
  const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
  return Math.max(...types.map((type) => maxCharsOfType(type, s, allDefs, seen)));
}

function maxCharsOfType(type: string, s: Json, defs: Json, seen: ReadonlySet<string>): number {
  switch (type) {
    case 'string':
      return typeof s.maxLength === 'number' ? s.maxLength + 2 : Infinity;
    case 'number':
    case 'integer':
      return NUMBER_CHARS;
    case 'boolean':
      return 5;
    case 'null':
      return 4;
    case 'array': {
      if (typeof s.maxItems !== 'number') return Infinity;
      return 2 + s.maxItems * (maxJsonChars(s.items, defs, seen) + SLACK);
    }
    case 'object': {
      const properties = Object.entries((s.properties ?? {}) as Json);
      let total = 2 + properties.reduce((n, [key, value]) => n + JSON.stringify(key).length + 1 + maxJsonChars(value, defs, seen) + SLACK, 0);
      const open = s.additionalProperties === undefined ? !s.properties : s.additionalProperties !== false;
      if (open) {
        const keyChars = maxJsonChars((s.propertyNames as Json | undefined) ?? { type: 'string' }, defs, seen);
        const count = typeof s.maxProperties === 'number' ? s.maxProperties - properties.length : Infinity;
        if (count > 0) total += count * (keyChars + 1 + maxJsonChars(s.additionalProperties, defs, seen) + SLACK);
      }
      return total;
    }
    default:
      return Infinity;
  }
}

/** The completion budget (max_tokens) that fits any reply the schema admits; undefined when it has no bound. */
export function maxTokensFor(schema: unknown): number | undefined {
  const chars = maxJsonChars(schema);
  return Number.isFinite(chars) ? Math.ceil(chars / CHARS_PER_TOKEN) + TOKEN_HEADROOM : undefined;
}

/** The paths of a schema that leave it unbounded (for error messages and the schema tests). */
export function unboundedPaths(schema: unknown, path = '', defs: Json = {}): string[] {
  if (!schema || typeof schema !== 'object') return [path || '(root)'];
  const s = schema as Json;
  const allDefs = { ...defs, ...((s.$defs ?? s.definitions) as Json | undefined) };
  if (Number.isFinite(maxJsonChars(s, allDefs))) return [];
  const here = path || '(root)';
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return alternatives.flatMap((a, i) => unboundedPaths(a, `${path}|${i}`, allDefs));
  if (s.type === 'array') return typeof s.maxItems === 'number' ? unboundedPaths(s.items, `${path}[]`, allDefs) : [`${here} (no maxItems)`];
  if (s.type === 'object') {
    const inner = Object.entries((s.properties ?? {}) as Json).flatMap(([k, v]) => unboundedPaths(v, path ? `${path}.${k}` : k, allDefs));
    return inner.length ? inner : [`${here} (open keys: needs maxProperties, propertyNames.maxLength and bounded values)`];
  }
  if (s.type === 'string') return [`${here} (no maxLength)`];
  return [here];
}

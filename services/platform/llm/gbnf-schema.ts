import type { GbnfJsonSchema } from 'node-llama-cpp';

type Json = Record<string, unknown>;

/**
 * Narrows an arbitrary JSON schema (from zod, or a client's response_format) to the subset node-llama-cpp
 * compiles into a grammar: anyOf/allOf become oneOf or are flattened, validation-only keywords are dropped,
 * and an unconstrained schema becomes "any scalar". Objects list all their properties (node-llama-cpp makes
 * every listed property required).
 */
export function toGbnfJsonSchema(schema: unknown): GbnfJsonSchema {
  return convert(schema) as GbnfJsonSchema;
}

function convert(schema: unknown): Json {
  if (schema === true || !schema || typeof schema !== 'object') return anyScalar();
  const s = schema as Json;
  const keep = (out: Json) => (typeof s.description === 'string' ? { ...out, description: s.description } : out);
  if ('const' in s) return keep({ const: s.const });
  if (Array.isArray(s.enum)) return keep({ enum: s.enum });
  if (typeof s.$ref === 'string') return withDefs(s, { $ref: s.$ref });
  const alternatives = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(alternatives)) return withDefs(s, keep({ oneOf: alternatives.map(convert) }));
  if (Array.isArray(s.allOf) && s.allOf.length === 1) return convert(s.allOf[0]);
  const type = s.type;
  if (Array.isArray(type)) return keep({ type: type.filter((t) => t !== 'object' && t !== 'array') });
  switch (type) {
    case 'object': {
      const properties = Object.fromEntries(Object.entries((s.properties ?? {}) as Json).map(([k, v]) => [k, convert(v)]));
      const out: Json = { type: 'object', properties };
      if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = convert(s.additionalProperties);
      else if (!s.properties && s.additionalProperties !== false) out.additionalProperties = anyScalar();
      if (out.additionalProperties && typeof s.minProperties === 'number') out.minProperties = s.minProperties;
      if (out.additionalProperties && typeof s.maxProperties === 'number') out.maxProperties = s.maxProperties;
      return withDefs(s, keep(out));
    }
    case 'array': {
      const out: Json = { type: 'array', items: convert(s.items) };
      if (typeof s.minItems === 'number') out.minItems = s.minItems;
      if (typeof s.maxItems === 'number') out.maxItems = s.maxItems;
      return keep(out);
    }
    case 'string': {
      const out: Json = { type: 'string' };
      if (['date-time', 'time', 'date'].includes(String(s.format))) out.format = s.format;
      else {
        if (typeof s.minLength === 'number') out.minLength = s.minLength;
        if (typeof s.maxLength === 'number') out.maxLength = s.maxLength;
      }
      return keep(out);
    }
    case 'integer': {
      const range = smallIntegerRange(s);
      return keep(range ? { enum: range } : { type });
    }
    case 'number':
    case 'boolean':
    case 'null':
      return keep({ type });
    default:
      return anyScalar();
  }
}

/** The grammar compiler knows no minimum/maximum; a short bounded integer range is spelled out as its values instead. */
const MAX_ENUMERATED_INTEGERS = 64;
function smallIntegerRange(s: Json): number[] | undefined {
  const low = typeof s.minimum === 'number' ? Math.ceil(s.minimum) : typeof s.exclusiveMinimum === 'number' ? Math.floor(s.exclusiveMinimum) + 1 : undefined;
  const high = typeof s.maximum === 'number' ? Math.floor(s.maximum) : typeof s.exclusiveMaximum === 'number' ? Math.ceil(s.exclusiveMaximum) - 1 : undefined;
  if (low === undefined || high === undefined || high < low || high - low >= MAX_ENUMERATED_INTEGERS) return undefined;
  return Array.from({ length: high - low + 1 }, (_, i) => low + i);
}

function withDefs(source: Json, out: Json): Json {
  const defs = (source.$defs ?? source.definitions) as Json | undefined;
  if (!defs) return out;
  return { ...out, $defs: Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, convert(v)])) };
}

function anyScalar(): Json {
  return { type: ['string', 'number', 'boolean', 'null'] };
}

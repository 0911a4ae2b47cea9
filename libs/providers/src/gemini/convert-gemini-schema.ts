import { JsonRecord, isRecord } from './gemini-json.util';

/**
 * Gemini's legacy `Schema` (the OpenAPI 3.0 subset of `parameters` and
 * `responseSchema`: upper-case types, `nullable`, `propertyOrdering`, int64
 * bounds possibly as strings, proto snake_case names) → the JSON Schema the IR
 * carries (https://ai.google.dev/api/caching#Schema).
 *
 * - `type: "STRING"` → `"string"`; `TYPE_UNSPECIFIED` → no type;
 * - `nullable: true` → `type: [t, "null"]` (or an added `{type: "null"}` branch);
 * - `propertyOrdering` → the `properties` keys reordered and the keyword
 *   dropped: JSON keeps key order, and Gemini's `responseJsonSchema` /
 *   OpenAI strict mode both generate in schema key order, while the keyword
 *   itself is unknown to other providers (OpenAI strict rejects it);
 * - `example` → `examples: [example]`; other keywords keep their name.
 *
 * Unknown keywords are kept as they are: the real API would reject them
 * (capture exclusiveMinimumToolParam), the gateway is more lenient and lets
 * the upstream judge the resulting JSON Schema.
 */
export function convertGeminiSchemaToJsonSchema(schema: unknown): JsonRecord {
  if (!isRecord(schema)) return {};
  const source = camelise(schema);
  const result: JsonRecord = {};
  for (const [key, value] of Object.entries(source)) {
    switch (key) {
      case 'type': {
        const type = typeof value === 'string' ? value.toLowerCase() : value;
        if (type !== 'type_unspecified') result.type = type;
        break;
      }
      case 'nullable':
      case 'propertyOrdering':
        break;
      case 'properties':
        result.properties = isRecord(value) ? convertProperties(value, source.propertyOrdering) : value;
        break;
      case 'items':
        result.items = convertGeminiSchemaToJsonSchema(value);
        break;
      case 'anyOf':
        result.anyOf = Array.isArray(value) ? value.map(convertGeminiSchemaToJsonSchema) : value;
        break;
      case 'example':
        result.examples = [value];
        break;
      case 'minItems':
      case 'maxItems':
      case 'minLength':
      case 'maxLength':
      case 'minProperties':
      case 'maxProperties':
        // int64 in the proto: proto-JSON allows (and Google itself writes) them as strings.
        result[key] = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
        break;
      default:
        result[key] = value;
    }
  }
  if (source.nullable === true) makeNullable(result);
  return result;
}

function convertProperties(properties: JsonRecord, ordering: unknown): JsonRecord {
  const names = Object.keys(properties);
  const ordered = Array.isArray(ordering)
    ? [...ordering.filter((name): name is string => typeof name === 'string' && names.includes(name)), ...names.filter((name) => !ordering.includes(name))]
    : names;
  return Object.fromEntries(ordered.map((name) => [name, convertGeminiSchemaToJsonSchema(properties[name])]));
}

function makeNullable(schema: JsonRecord): void {
  if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
  else if (Array.isArray(schema.type)) {
    if (!schema.type.includes('null')) schema.type = [...schema.type, 'null'];
  } else if (Array.isArray(schema.anyOf)) schema.anyOf = [...schema.anyOf, { type: 'null' }];
}

const SNAKE_KEYWORDS: Record<string, string> = {
  any_of: 'anyOf',
  property_ordering: 'propertyOrdering',
  min_items: 'minItems',
  max_items: 'maxItems',
  min_length: 'minLength',
  max_length: 'maxLength',
  min_properties: 'minProperties',
  max_properties: 'maxProperties',
};

/** Proto snake_case keywords → their camelCase (JSON Schema) names; property names are never touched. */
function camelise(schema: JsonRecord): JsonRecord {
  const result: JsonRecord = {};
  for (const [key, value] of Object.entries(schema)) {
    if (value === null && key !== 'default' && key !== 'example') continue;
    result[SNAKE_KEYWORDS[key] ?? key] = value;
  }
  return result;
}

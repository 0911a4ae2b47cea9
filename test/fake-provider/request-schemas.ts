import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import type { Protocol } from './types';

/** Published API descriptions, read in place from ../shared/specs (never copied into the project). */
export const SPECS_DIR = resolve(__dirname, '../../../shared/specs');

/**
 * Which published schema validates which request body. Anthropic's beta surface
 * (`/v1/messages?beta=true`, what `client.beta.messages` calls) has its own params.
 */
export type RequestSchemaName =
  | 'openai:CreateChatCompletionRequest'
  | 'openai:CreateResponse'
  | 'openai:CreateEmbeddingRequest'
  | 'openai:CreateCompletionRequest'
  | 'anthropic:CreateMessageParams'
  | 'anthropic:BetaCreateMessageParams'
  | 'anthropic:CountMessageTokensParams'
  | 'anthropic:BetaCountMessageTokensParams'
  | 'gemini:GenerateContentRequest'
  | 'gemini:CountTokensRequest';

const DOCUMENT_FILES = { openai: 'openai-openapi.yaml', anthropic: 'anthropic-openapi.json' } as const;
type DocumentName = keyof typeof DOCUMENT_FILES;

/** Keywords that only annotate; dropping them keeps Ajv strict-free and the compiled code small. */
const ANNOTATIONS = new Set(['description', 'title', 'example', 'examples', 'deprecated', 'externalDocs', 'readOnly', 'writeOnly', 'xml', 'default', '$comment']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SINGLE_SCHEMAS = new Set([
  'items',
  'additionalItems',
  'additionalProperties',
  'unevaluatedItems',
  'unevaluatedProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
]);

/**
 * Turns an OpenAPI 3.1 schema object into plain JSON Schema 2020-12:
 * - `nullable: true` (an OpenAPI 3.0 keyword both documents still use) becomes `anyOf [schema, null]`;
 * - a `oneOf` with a `discriminator` becomes `anyOf`: the tag is a dispatch hint, and the
 *   branches overlap where the tag is optional (OpenAI's InputItem: a `{role, content}` message
 *   without `type` is both an EasyInputMessage and an Item, and the API accepts it). Ajv's own
 *   `discriminator` support cannot be used: it rejects `mapping` and optional tags;
 * - `x-*` extensions and annotations are dropped.
 * It walks schema keywords only, so a property named `description` or `nullable` survives.
 */
export function convertOpenApiSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convertOpenApiSchema);
  if (node === null || typeof node !== 'object') return node;
  const schema: Record<string, unknown> = {};
  for (const [keyword, value] of Object.entries(node)) {
    if (keyword.startsWith('x-') || ANNOTATIONS.has(keyword) || keyword === 'discriminator' || keyword === 'nullable') continue;
    if (SCHEMA_MAPS.has(keyword) && value && typeof value === 'object') {
      schema[keyword] = Object.fromEntries(Object.entries(value).map(([name, child]) => [name, convertOpenApiSchema(child)]));
    } else if (SCHEMA_LISTS.has(keyword) || SINGLE_SCHEMAS.has(keyword)) {
      schema[keyword] = convertOpenApiSchema(value);
    } else {
      schema[keyword] = value;
    }
  }
  if ('discriminator' in node && Array.isArray(schema.oneOf)) {
    const branches = schema.oneOf;
    delete schema.oneOf;
    if (schema.anyOf) schema.allOf = [...((schema.allOf as unknown[]) ?? []), { anyOf: branches }];
    else schema.anyOf = branches;
  }
  return (node as { nullable?: unknown }).nullable === true ? { anyOf: [schema, { type: 'null' }] } : schema;
}

let ajv: Ajv2020 | undefined;
const loadedDocuments = new Set<DocumentName>();
const validators = new Map<RequestSchemaName, ValidateFunction>();

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
    addFormats(ajv);
    // Formats OpenAI uses that are not JSON Schema formats; accept any value, like the API does.
    for (const format of ['unixtime', 'png', 'binary']) ajv.addFormat(format, true);
  }
  return ajv;
}

function loadDocument(name: DocumentName): void {
  if (loadedDocuments.has(name)) return;
  const text = readFileSync(resolve(SPECS_DIR, DOCUMENT_FILES[name]), 'utf8');
  const document = (name === 'openai' ? parseYaml(text) : JSON.parse(text)) as { components: { schemas: Record<string, unknown> } };
  const schemas = Object.fromEntries(Object.entries(document.components.schemas).map(([key, value]) => [key, convertOpenApiSchema(value)]));
  // `$ref: '#/components/schemas/X'` resolves against this root.
  getAjv().addSchema({ $id: `https://fake-provider.test/${name}`, components: { schemas } });
  loadedDocuments.add(name);
}

function compile(name: RequestSchemaName): ValidateFunction {
  const [document, schemaName] = name.split(':') as [DocumentName, string];
  loadDocument(document);
  return getAjv().compile({ $ref: `https://fake-provider.test/${document}#/components/schemas/${schemaName}` });
}

/** Which schema a protocol's request body is checked against. */
export function requestSchemaName(protocol: Protocol, endpoint: 'generate' | 'count-tokens' | 'embeddings' | 'completions', beta: boolean): RequestSchemaName {
  switch (protocol) {
    case 'openai-chat':
      if (endpoint === 'embeddings') return 'openai:CreateEmbeddingRequest';
      if (endpoint === 'completions') return 'openai:CreateCompletionRequest';
      return 'openai:CreateChatCompletionRequest';
    case 'openai-responses':
      return 'openai:CreateResponse';
    case 'anthropic':
      if (endpoint === 'count-tokens') return beta ? 'anthropic:BetaCountMessageTokensParams' : 'anthropic:CountMessageTokensParams';
      return beta ? 'anthropic:BetaCreateMessageParams' : 'anthropic:CreateMessageParams';
    case 'gemini':
      return endpoint === 'count-tokens' ? 'gemini:CountTokensRequest' : 'gemini:GenerateContentRequest';
  }
}

/**
 * Validates a request body; returns one readable line per violation, [] when valid.
 * Validators compile on first use and stay cached for the life of the process.
 */
export function validateRequestBody(name: RequestSchemaName, body: unknown): string[] {
  if (name === 'gemini:GenerateContentRequest') return validateGeminiRequest(body);
  if (name === 'gemini:CountTokensRequest') {
    // countTokens takes either {contents} or {generateContentRequest: {model, contents, ...}}.
    const wrapped = isRecord(body) && isRecord(body.generateContentRequest);
    return validateGeminiRequest(wrapped ? body.generateContentRequest : body);
  }
  let validate = validators.get(name);
  if (!validate) {
    validate = compile(name);
    validators.set(name, validate);
  }
  return validate(body) ? [] : formatErrors(validate.errors ?? []);
}

function formatErrors(errors: ErrorObject[]): string[] {
  const lines = errors.map((error) => {
    const detail =
      error.keyword === 'additionalProperties'
        ? ` '${(error.params as { additionalProperty: string }).additionalProperty}'`
        : error.keyword === 'enum'
          ? ` ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`
          : error.keyword === 'const'
            ? ` ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`
            : '';
    return `${error.instancePath || '/'} ${error.message}${detail}`;
  });
  return [...new Set(lines)];
}

const GEMINI_ROLES = new Set(['user', 'model', 'function', 'tool']);
const GEMINI_TOP_LEVEL = new Set([
  'model',
  'contents',
  'systemInstruction',
  'system_instruction',
  'tools',
  'toolConfig',
  'tool_config',
  'safetySettings',
  'safety_settings',
  'generationConfig',
  'generation_config',
  'cachedContent',
  'cached_content',
  'labels',
  'serviceTier',
]);

/**
 * Gemini publishes no OpenAPI document here, so check the structure the API itself rejects
 * with INVALID_ARGUMENT: GenerateContentRequest fields, contents[] of {role?, parts[]}, and
 * object-valued config (https://ai.google.dev/api/generate-content#request-body).
 */
export function validateGeminiRequest(body: unknown): string[] {
  const errors: string[] = [];
  if (!isRecord(body)) return ['/ must be object'];
  for (const key of Object.keys(body)) if (!GEMINI_TOP_LEVEL.has(key)) errors.push(`/ must NOT have additional properties '${key}'`);
  if (!Array.isArray(body.contents)) errors.push('/contents must be array');
  else {
    if (body.contents.length === 0) errors.push('/contents must NOT have fewer than 1 items');
    body.contents.forEach((content, index) => errors.push(...validateGeminiContent(content, `/contents/${index}`)));
  }
  const systemInstruction = body.systemInstruction ?? body.system_instruction;
  if (systemInstruction !== undefined) errors.push(...validateGeminiContent(systemInstruction, '/systemInstruction'));
  for (const key of ['generationConfig', 'toolConfig'] as const) {
    if (body[key] !== undefined && !isRecord(body[key])) errors.push(`/${key} must be object`);
  }
  for (const key of ['tools', 'safetySettings'] as const) {
    if (body[key] === undefined) continue;
    if (!Array.isArray(body[key])) errors.push(`/${key} must be array`);
    else (body[key] as unknown[]).forEach((entry, index) => isRecord(entry) || errors.push(`/${key}/${index} must be object`));
  }
  if (body.model !== undefined && typeof body.model !== 'string') errors.push('/model must be string');
  return errors;
}

function validateGeminiContent(content: unknown, path: string): string[] {
  if (!isRecord(content)) return [`${path} must be object`];
  const errors: string[] = [];
  if (content.role !== undefined && (typeof content.role !== 'string' || !GEMINI_ROLES.has(content.role))) {
    errors.push(`${path}/role must be equal to one of the allowed values ${JSON.stringify([...GEMINI_ROLES])}`);
  }
  // parts may be absent: Gemini accepts (and itself returns) `{role: 'model'}` after a
  // maxOutputTokens cut, as the simpleRequestTruncated follow-up capture shows.
  if (content.parts !== undefined && !Array.isArray(content.parts)) errors.push(`${path}/parts must be array`);
  else if (Array.isArray(content.parts)) {
    content.parts.forEach((part, index) => {
      if (!isRecord(part)) errors.push(`${path}/parts/${index} must be object`);
      else if (part.text !== undefined && typeof part.text !== 'string') errors.push(`${path}/parts/${index}/text must be string`);
    });
  }
  return errors;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

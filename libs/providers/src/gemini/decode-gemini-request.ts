import {
  ChatMessage,
  ChatRequest,
  ClientRequestContext,
  FilePart,
  ImagePart,
  ReasoningConfig,
  ResponseFormat,
  SystemPart,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserPart,
  invalidRequest,
  unsupported,
} from '../ir';
import { convertGeminiSchemaToJsonSchema } from './convert-gemini-schema';
import { decodeFunctionResponseObject } from './convert-gemini-function-response';
import { decodeGeminiMedia } from './convert-gemini-media';
import { decodeGeminiModelParts } from './decode-gemini-model-parts';
import { normaliseGeminiModel } from './gemini-api';
import { JsonRecord, camelKeys, isRecord, readField } from './gemini-json.util';
import { requestCallId } from './gemini-tool-call-id';
import { decodeThinkingConfig, isGeminiThinkingLevel } from './map-gemini-thinking-config';

/**
 * A Gemini `generateContent` body (+ the model and streaming from the URL) →
 * ChatRequest. Field names are read in camelCase or proto snake_case.
 *
 * Refused (unsupported): cachedContent; built-in tools (googleSearch,
 * codeExecution, urlContext, …); non-TEXT responseModalities, speechConfig,
 * imageConfig, mediaResolution, logprobs, candidateCount > 1; media and code
 * parts in model turns; allowedFunctionNames that the IR's tool choice cannot
 * express. Unknown generationConfig / thinkingConfig keys are refused too:
 * they shape the output.
 *
 * Ignored top-level fields (they do not change what the model writes):
 * `safetySettings` (the upstream's defaults apply; another provider has no
 * equivalent), `labels` (Vertex billing labels), `serviceTier`, `store`,
 * `model` when the URL names one; any other unknown top-level key.
 */
export function decodeGeminiRequest(body: unknown, context: ClientRequestContext = {}): ChatRequest {
  if (!isRecord(body)) throw invalidRequest('the request body must be a JSON object');
  const bodyModel = readField(body, 'model');
  const model = context.model ?? (typeof bodyModel === 'string' ? bodyModel : undefined);
  if (!model) throw invalidRequest('a model is required: POST /v1beta/models/{model}:generateContent', 'model');
  if (readField(body, 'cachedContent') !== undefined) throw unsupported('cachedContent', 'cachedContent');

  const tools = decodeTools(readField(body, 'tools'));
  const request: ChatRequest = {
    model: normaliseGeminiModel(model),
    system: decodeSystemInstruction(readField(body, 'systemInstruction')),
    messages: decodeContents(readField(body, 'contents')),
    stream: context.stream ?? false,
  };
  if (tools.length > 0) request.tools = tools;
  const toolChoice = decodeToolConfig(readField(body, 'toolConfig'), request.tools);
  if (toolChoice) request.toolChoice = toolChoice;
  Object.assign(request, decodeGenerationConfig(readField(body, 'generationConfig')));
  return request;
}

function decodeSystemInstruction(value: unknown): SystemPart[] {
  if (value === undefined) return [];
  if (!isRecord(value)) throw invalidRequest('systemInstruction must be a Content object ({parts: [{text}]})', 'systemInstruction');
  const parts = readField(value, 'parts') ?? [];
  if (!Array.isArray(parts)) throw invalidRequest('systemInstruction.parts must be an array', 'systemInstruction.parts');
  return parts.map((part, index) => {
    const param = `systemInstruction.parts[${index}]`;
    if (!isRecord(part)) throw invalidRequest('a part must be an object', param);
    const text = readField(part, 'text');
    if (typeof text === 'string') return { text };
    if (text !== undefined) throw invalidRequest('text must be a string', `${param}.text`);
    throw unsupported('a non-text part in systemInstruction', param);
  });
}

/** A call of the latest model turn, waiting for its functionResponse. */
interface OpenCall {
  id: string;
  name: string;
  answered: boolean;
}

function decodeContents(value: unknown): ChatMessage[] {
  if (value === undefined) throw invalidRequest('contents is required', 'contents');
  if (!Array.isArray(value)) throw invalidRequest('contents must be an array', 'contents');
  if (value.length === 0) throw invalidRequest('contents must not be empty', 'contents');
  const messages: ChatMessage[] = [];
  let openCalls: OpenCall[] = [];
  value.forEach((content, contentIndex) => {
    const param = `contents[${contentIndex}]`;
    if (!isRecord(content)) throw invalidRequest('a content must be an object', param);
    const role = readField(content, 'role') ?? 'user';
    const parts = readField(content, 'parts') ?? [];
    if (!Array.isArray(parts)) throw invalidRequest('parts must be an array', `${param}.parts`);
    if (role === 'model') {
      // `{role: "model"}` without parts is legal history (a turn cut at maxOutputTokens=1): an empty assistant turn.
      const assistant = decodeGeminiModelParts(parts, `${param}.parts`, (partIndex) => requestCallId(contentIndex, partIndex));
      messages.push({ role: 'assistant', content: assistant });
      openCalls = assistant.flatMap((part) => (part.type === 'tool-call' ? [{ id: part.id, name: part.name, answered: false }] : []));
      return;
    }
    // 'function' is the role older SDKs gave to functionResponse turns.
    if (role !== 'user' && role !== 'function') throw invalidRequest(`unknown role ${JSON.stringify(role)}: expected user or model`, `${param}.role`);
    if (parts.length === 0) throw invalidRequest('a user content needs at least one part', `${param}.parts`);
    const results: ToolResultPart[] = [];
    const user: UserPart[] = [];
    parts.forEach((part, partIndex) => {
      const at = `${param}.parts[${partIndex}]`;
      if (!isRecord(part)) throw invalidRequest('a part must be an object', at);
      const functionResponse = readField(part, 'functionResponse');
      if (functionResponse !== undefined) results.push(decodeFunctionResponse(functionResponse, openCalls, requestCallId(contentIndex, partIndex), `${at}.functionResponse`));
      else user.push(decodeUserPart(part, at));
    });
    // Tool results first: every protocol wants them right after the calls (Gemini docs put them alone in their turn anyway).
    if (results.length > 0) messages.push({ role: 'tool', content: results });
    if (user.length > 0) messages.push({ role: 'user', content: user });
  });
  return messages;
}

function decodeUserPart(part: JsonRecord, param: string): UserPart {
  const text = readField(part, 'text');
  if (text !== undefined) {
    if (typeof text !== 'string') throw invalidRequest('text must be a string', `${param}.text`);
    return { type: 'text', text };
  }
  for (const kind of ['inlineData', 'fileData'] as const) {
    const media = readField(part, kind);
    if (media !== undefined) {
      if (readField(part, 'videoMetadata') !== undefined) throw unsupported('videoMetadata', `${param}.videoMetadata`);
      if (readField(part, 'mediaResolution') !== undefined) throw unsupported('mediaResolution', `${param}.mediaResolution`);
      return decodeGeminiMedia(kind, media, `${param}.${kind}`);
    }
  }
  if (readField(part, 'functionCall') !== undefined) throw invalidRequest('functionCall belongs in a model turn', `${param}.functionCall`);
  for (const kind of ['executableCode', 'codeExecutionResult']) {
    if (readField(part, kind) !== undefined) throw unsupported(kind, `${param}.${kind}`);
  }
  throw invalidRequest('the part has no text, inlineData, fileData or functionResponse', param);
}

function decodeFunctionResponse(value: unknown, openCalls: OpenCall[], fallbackId: string, param: string): ToolResultPart {
  if (!isRecord(value)) throw invalidRequest('functionResponse must be an object', param);
  const name = readField(value, 'name');
  if (typeof name !== 'string' || name === '') throw invalidRequest('functionResponse.name must be a non-empty string', `${param}.name`);
  const response = readField(value, 'response') ?? {};
  if (!isRecord(response)) throw invalidRequest('functionResponse.response must be an object', `${param}.response`);
  const id = readField(value, 'id');
  if (id !== undefined && typeof id !== 'string') throw invalidRequest('functionResponse.id must be a string', `${param}.id`);
  for (const key of ['willContinue', 'scheduling']) {
    if (readField(value, key) !== undefined) throw unsupported(`functionResponse.${key} (Live API)`, `${param}.${key}`);
  }

  // With an id, that call; without, the first unanswered call of that name (Gemini's own matching: name and order).
  const call = id ? openCalls.find((open) => open.id === id) : openCalls.find((open) => !open.answered && open.name === name);
  if (call) call.answered = true;
  const { text, isError } = decodeFunctionResponseObject(response);
  const content: Array<TextPart | ImagePart | FilePart> = [{ type: 'text', text }];
  const parts = readField(value, 'parts') ?? [];
  if (!Array.isArray(parts)) throw invalidRequest('functionResponse.parts must be an array', `${param}.parts`);
  parts.forEach((part, index) => {
    const at = `${param}.parts[${index}]`;
    if (!isRecord(part)) throw invalidRequest('a part must be an object', at);
    const inlineData = readField(part, 'inlineData');
    if (inlineData !== undefined) content.push(decodeGeminiMedia('inlineData', inlineData, `${at}.inlineData`));
    else if (readField(part, 'fileData') !== undefined) content.push(decodeGeminiMedia('fileData', readField(part, 'fileData'), `${at}.fileData`));
    else throw invalidRequest('a function response part needs inlineData or fileData', at);
  });
  return {
    type: 'tool-result',
    toolCallId: id || (call?.id ?? fallbackId),
    toolName: name,
    content,
    ...(isError ? { isError: true } : {}),
  };
}

/** Built-in tools: valid Gemini, nothing the IR (or another provider) can carry. */
const BUILT_IN_TOOLS = new Set([
  'googleSearch',
  'googleSearchRetrieval',
  'codeExecution',
  'urlContext',
  'fileSearch',
  'googleMaps',
  'computerUse',
  'retrieval',
  'enterpriseWebSearch',
  'mcpServers',
]);

function decodeTools(value: unknown): ToolDefinition[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidRequest('tools must be an array', 'tools');
  const definitions: ToolDefinition[] = [];
  value.forEach((tool, toolIndex) => {
    const param = `tools[${toolIndex}]`;
    if (!isRecord(tool)) throw invalidRequest('a tool must be an object', param);
    for (const key of camelKeys(tool)) {
      if (key === 'functionDeclarations') continue;
      if (BUILT_IN_TOOLS.has(key)) throw unsupported(`the built-in tool ${key}`, `${param}.${key}`);
      throw unsupported(`the tool kind ${key}`, `${param}.${key}`);
    }
    const declarations = readField(tool, 'functionDeclarations') ?? [];
    if (!Array.isArray(declarations)) throw invalidRequest('functionDeclarations must be an array', `${param}.functionDeclarations`);
    declarations.forEach((declaration, index) => definitions.push(decodeFunctionDeclaration(declaration, `${param}.functionDeclarations[${index}]`)));
  });
  return definitions;
}

function decodeFunctionDeclaration(value: unknown, param: string): ToolDefinition {
  if (!isRecord(value)) throw invalidRequest('a function declaration must be an object', param);
  const name = readField(value, 'name');
  if (typeof name !== 'string' || name === '') throw invalidRequest('name must be a non-empty string', `${param}.name`);
  const description = readField(value, 'description');
  if (description !== undefined && typeof description !== 'string') throw invalidRequest('description must be a string', `${param}.description`);
  for (const key of ['response', 'responseJsonSchema', 'behavior']) {
    if (readField(value, key) !== undefined) throw unsupported(`functionDeclarations[].${key}`, `${param}.${key}`);
  }
  const parameters = readField(value, 'parameters');
  const jsonSchema = readField(value, 'parametersJsonSchema');
  if (parameters !== undefined && jsonSchema !== undefined) throw invalidRequest('parameters and parametersJsonSchema are mutually exclusive', `${param}.parametersJsonSchema`);
  if (parameters !== undefined && !isRecord(parameters)) throw invalidRequest('parameters must be a Schema object', `${param}.parameters`);
  if (jsonSchema !== undefined && !isRecord(jsonSchema)) throw invalidRequest('parametersJsonSchema must be a JSON Schema object', `${param}.parametersJsonSchema`);
  const schema = jsonSchema !== undefined ? (jsonSchema as JsonRecord) : parameters !== undefined ? convertGeminiSchemaToJsonSchema(parameters) : { type: 'object', properties: {} };
  return { name, ...(description !== undefined ? { description } : {}), parameters: schema };
}

/**
 * functionCallingConfig → tool choice: AUTO → auto, NONE → none, ANY →
 * required, ANY with one allowed name → that tool. VALIDATED (calls checked
 * against their schema, text still allowed) → auto with every tool `strict`,
 * which is what strict means elsewhere, and what the encoder turns back into
 * VALIDATED.
 */
function decodeToolConfig(value: unknown, tools: ToolDefinition[] | undefined): ToolChoice | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalidRequest('toolConfig must be an object', 'toolConfig');
  for (const key of camelKeys(value)) {
    if (key !== 'functionCallingConfig') throw unsupported(`toolConfig.${key}`, `toolConfig.${key}`);
  }
  const config = readField(value, 'functionCallingConfig');
  if (config === undefined) return undefined;
  const param = 'toolConfig.functionCallingConfig';
  if (!isRecord(config)) throw invalidRequest('functionCallingConfig must be an object', param);
  const mode = readField(config, 'mode') ?? 'MODE_UNSPECIFIED';
  if (typeof mode !== 'string') throw invalidRequest('mode must be a string', `${param}.mode`);
  const allowed = readField(config, 'allowedFunctionNames');
  if (allowed !== undefined && (!Array.isArray(allowed) || allowed.some((name) => typeof name !== 'string'))) {
    throw invalidRequest('allowedFunctionNames must be an array of strings', `${param}.allowedFunctionNames`);
  }
  const names = (allowed ?? []) as string[];
  switch (mode.toUpperCase()) {
    case 'MODE_UNSPECIFIED':
    case 'AUTO':
      if (names.length > 0) throw invalidRequest('allowedFunctionNames is only valid with mode ANY or VALIDATED', `${param}.allowedFunctionNames`);
      return mode.toUpperCase() === 'AUTO' ? { type: 'auto' } : undefined;
    case 'NONE':
      return { type: 'none' };
    case 'ANY':
      if (names.length === 0) return { type: 'required' };
      if (names.length === 1) return { type: 'tool', name: names[0] };
      throw unsupported('mode ANY restricted to several allowedFunctionNames', `${param}.allowedFunctionNames`);
    case 'VALIDATED':
      if (names.length > 0) throw unsupported('mode VALIDATED with allowedFunctionNames', `${param}.allowedFunctionNames`);
      for (const tool of tools ?? []) tool.strict = true;
      return { type: 'auto' };
    default:
      throw invalidRequest(`unknown function calling mode ${JSON.stringify(mode)}`, `${param}.mode`);
  }
}

/** generationConfig keys the IR cannot carry; each one changes the output. */
const UNSUPPORTED_GENERATION_KEYS = [
  'speechConfig',
  'imageConfig',
  'mediaResolution',
  'responseLogprobs',
  'logprobs',
  'enableEnhancedCivicAnswers',
  'audioTimestamp',
  'routingConfig',
  'modelSelectionConfig',
  'enableAffectiveDialog',
];

const GENERATION_KEYS = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
  'candidateCount',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
  'responseModalities',
]);

type GenerationFields = Pick<
  ChatRequest,
  'temperature' | 'topP' | 'topK' | 'maxOutputTokens' | 'stopSequences' | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'responseFormat' | 'reasoning'
>;

function decodeGenerationConfig(value: unknown): GenerationFields {
  if (value === undefined) return {};
  const param = 'generationConfig';
  if (!isRecord(value)) throw invalidRequest('generationConfig must be an object', param);
  for (const key of camelKeys(value)) {
    if (UNSUPPORTED_GENERATION_KEYS.includes(key) || !GENERATION_KEYS.has(key)) throw unsupported(`generationConfig.${key}`, `${param}.${key}`);
  }
  const fields: GenerationFields = {};
  const number = (key: 'temperature' | 'topP' | 'topK' | 'maxOutputTokens' | 'seed' | 'presencePenalty' | 'frequencyPenalty', integer: boolean) => {
    const field = readField(value, key);
    if (field === undefined) return;
    if (typeof field !== 'number' || !Number.isFinite(field) || (integer && !Number.isInteger(field))) {
      throw invalidRequest(`${key} must be ${integer ? 'an integer' : 'a number'}`, `${param}.${key}`);
    }
    fields[key] = field;
  };
  number('temperature', false);
  number('topP', false);
  number('topK', true);
  number('maxOutputTokens', true);
  number('seed', true);
  number('presencePenalty', false);
  number('frequencyPenalty', false);

  const stop = readField(value, 'stopSequences');
  if (stop !== undefined) {
    if (!Array.isArray(stop) || stop.some((entry) => typeof entry !== 'string')) throw invalidRequest('stopSequences must be an array of strings', `${param}.stopSequences`);
    fields.stopSequences = stop as string[];
  }

  const candidates = readField(value, 'candidateCount');
  if (candidates !== undefined) {
    if (typeof candidates !== 'number' || !Number.isInteger(candidates) || candidates < 1) throw invalidRequest('candidateCount must be a positive integer', `${param}.candidateCount`);
    if (candidates > 1) throw unsupported('candidateCount greater than 1', `${param}.candidateCount`);
  }

  const modalities = readField(value, 'responseModalities');
  if (modalities !== undefined) {
    if (!Array.isArray(modalities)) throw invalidRequest('responseModalities must be an array', `${param}.responseModalities`);
    const other = modalities.find((modality) => modality !== 'TEXT');
    if (other !== undefined) throw unsupported(`responseModalities ${JSON.stringify(other)}`, `${param}.responseModalities`);
  }

  const responseFormat = decodeResponseFormat(value, param);
  if (responseFormat) fields.responseFormat = responseFormat;
  const reasoning = decodeThinking(readField(value, 'thinkingConfig'), `${param}.thinkingConfig`);
  if (reasoning) fields.reasoning = reasoning;
  return fields;
}

/**
 * responseMimeType + responseSchema / responseJsonSchema → response format:
 * application/json with a schema → json_schema (a legacy responseSchema is
 * converted to JSON Schema), without → json_object; text/plain → text.
 * text/x.enum and other types have no IR equivalent.
 */
function decodeResponseFormat(config: JsonRecord, param: string): ResponseFormat | undefined {
  const mimeType = readField(config, 'responseMimeType');
  const legacy = readField(config, 'responseSchema');
  const jsonSchema = readField(config, 'responseJsonSchema');
  if (mimeType !== undefined && typeof mimeType !== 'string') throw invalidRequest('responseMimeType must be a string', `${param}.responseMimeType`);
  if (legacy !== undefined && jsonSchema !== undefined) throw invalidRequest('responseSchema and responseJsonSchema are mutually exclusive', `${param}.responseJsonSchema`);
  if (legacy !== undefined && !isRecord(legacy)) throw invalidRequest('responseSchema must be a Schema object', `${param}.responseSchema`);
  if (jsonSchema !== undefined && !isRecord(jsonSchema)) throw invalidRequest('responseJsonSchema must be a JSON Schema object', `${param}.responseJsonSchema`);
  const schema = jsonSchema !== undefined ? (jsonSchema as JsonRecord) : legacy !== undefined ? convertGeminiSchemaToJsonSchema(legacy) : undefined;
  switch (mimeType) {
    case undefined:
    case 'text/plain':
      if (schema) throw invalidRequest('a response schema needs responseMimeType application/json', `${param}.responseMimeType`);
      return mimeType === undefined ? undefined : { type: 'text' };
    case 'application/json':
      return schema ? { type: 'json_schema', schema } : { type: 'json_object' };
    default:
      throw unsupported(`responseMimeType ${JSON.stringify(mimeType)}`, `${param}.responseMimeType`);
  }
}

function decodeThinking(value: unknown, param: string): ReasoningConfig | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) throw invalidRequest('thinkingConfig must be an object', param);
  for (const key of camelKeys(value)) {
    if (!['thinkingBudget', 'includeThoughts', 'thinkingLevel'].includes(key)) throw unsupported(`thinkingConfig.${key}`, `${param}.${key}`);
  }
  const budget = readField(value, 'thinkingBudget');
  if (budget !== undefined && (typeof budget !== 'number' || !Number.isInteger(budget) || budget < -1)) {
    throw invalidRequest('thinkingBudget must be an integer >= -1', `${param}.thinkingBudget`);
  }
  const include = readField(value, 'includeThoughts');
  if (include !== undefined && typeof include !== 'boolean') throw invalidRequest('includeThoughts must be a boolean', `${param}.includeThoughts`);
  const rawLevel = readField(value, 'thinkingLevel');
  if (rawLevel !== undefined && typeof rawLevel !== 'string') throw invalidRequest('thinkingLevel must be a string', `${param}.thinkingLevel`);
  const level = rawLevel?.toUpperCase();
  if (level !== undefined && level !== 'THINKING_LEVEL_UNSPECIFIED' && !isGeminiThinkingLevel(level)) {
    throw invalidRequest(`unknown thinkingLevel ${JSON.stringify(rawLevel)}`, `${param}.thinkingLevel`);
  }
  const thinkingLevel = level !== undefined && isGeminiThinkingLevel(level) ? level : undefined;
  if (budget !== undefined && thinkingLevel !== undefined) throw invalidRequest('thinkingBudget and thinkingLevel are mutually exclusive', `${param}.thinkingLevel`);
  return decodeThinkingConfig({
    ...(budget !== undefined ? { thinkingBudget: budget as number } : {}),
    ...(thinkingLevel !== undefined ? { thinkingLevel } : {}),
    ...(include !== undefined ? { includeThoughts: include as boolean } : {}),
  });
}

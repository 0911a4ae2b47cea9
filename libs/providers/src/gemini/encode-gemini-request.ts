import { ChatMessage, ChatRequest, ToolResultPart, UpstreamRequest, UserPart, invalidRequest, unsupported } from '../ir';
import { encodeFunctionResponseObject } from './convert-gemini-function-response';
import { encodeGeminiMedia } from './convert-gemini-media';
import { encodeGeminiModelParts } from './encode-gemini-model-parts';
import { geminiGenerateContentPath, isGemini3OrLater } from './gemini-api';
import { isGeneratedCallId } from './gemini-tool-call-id';
import {
  GeminiContent,
  GeminiFunctionResponsePart,
  GeminiGenerateContentRequest,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiTool,
  GeminiToolConfig,
} from './gemini.types';
import { encodeThinkingConfig } from './map-gemini-thinking-config';

/**
 * Google's documented stand-in for a missing thought signature
 * (https://ai.google.dev/gemini-api/docs/thought-signatures): Gemini 3
 * answers 400 "Function call is missing a thought_signature" when a replayed
 * functionCall lacks one, which is always the case for calls another provider
 * made or a client rebuilt. Put on the first functionCall of a model turn that
 * has none, Gemini 3+ only (as vercel/ai does).
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/**
 * ChatRequest → a Gemini generateContent body and its path.
 *
 * - system → systemInstruction; a system message in the middle of the
 *   conversation has no Gemini equivalent → unsupported (not moved: that
 *   would change what it applies to);
 * - tool messages → one `user` content of functionResponse parts per run of
 *   consecutive tool messages, each named from toolName or its call;
 * - tools → functionDeclarations with `parametersJsonSchema` (full JSON
 *   Schema; the legacy `parameters` dialect rejects exclusiveMinimum,
 *   additionalProperties, … — capture exclusiveMinimumToolParam);
 * - json_schema → responseMimeType application/json + responseJsonSchema
 *   (its `name` has no Gemini field and does not steer the output; its
 *   `description` goes into the schema's when that has none);
 * - strict tools with tool choice auto → mode VALIDATED (schema-checked calls).
 *
 * Refused: n > 1 (the IR answer has one choice), parallelToolCalls false
 * (Gemini cannot limit calls per turn), media inside a tool result given by
 * URL. Ignored, as they do not change the output: user, metadata,
 * promptCacheKey, store, streamUsage (Gemini always reports usage),
 * cacheControl (Gemini caches implicitly), image detail and file names.
 */
export function encodeGeminiRequest(request: ChatRequest, upstreamModel: string): UpstreamRequest {
  if (request.n !== undefined && request.n > 1) throw unsupported('n greater than 1', 'n');
  const hasTools = (request.tools?.length ?? 0) > 0;
  if (request.parallelToolCalls === false && hasTools && request.toolChoice?.type !== 'none') {
    throw unsupported('parallel_tool_calls false (Gemini cannot limit a turn to one call)', 'parallel_tool_calls');
  }

  const body: GeminiGenerateContentRequest = { contents: encodeMessages(request.messages, isGemini3OrLater(upstreamModel)) };
  if (request.system.length > 0) body.systemInstruction = { parts: request.system.map((part) => ({ text: part.text })) };
  if (hasTools) {
    const tools: GeminiTool[] = [
      {
        functionDeclarations: request.tools!.map((tool) => ({
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          // `{}` (an OpenAI function declared without parameters) is no object schema: a declaration without one says the same.
          ...(Object.keys(tool.parameters).length > 0 ? { parametersJsonSchema: tool.parameters } : {}),
        })),
      },
    ];
    body.tools = tools;
  }
  const toolConfig = encodeToolConfig(request);
  if (toolConfig) body.toolConfig = toolConfig;
  const generationConfig = encodeGenerationConfig(request, upstreamModel);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return { path: geminiGenerateContentPath(upstreamModel, request.stream), body };
}

function encodeMessages(messages: ChatMessage[], needsSignatures: boolean): GeminiContent[] {
  const contents: GeminiContent[] = [];
  let toolTurn: GeminiPart[] | null = null;
  for (const [index, message] of messages.entries()) {
    const param = `messages[${index}]`;
    if (message.role === 'tool') {
      if (!toolTurn) {
        toolTurn = [];
        contents.push({ role: 'user', parts: toolTurn });
      }
      for (const [partIndex, result] of message.content.entries()) {
        toolTurn.push(encodeToolResult(result, messages, index, `${param}.content[${partIndex}]`));
      }
      continue;
    }
    toolTurn = null;
    if (message.role === 'system') throw unsupported('a system message after the conversation started (Gemini has one systemInstruction)', param);
    if (message.role === 'user') {
      contents.push({ role: 'user', parts: message.content.map((part, partIndex) => encodeUserPart(part, `${param}.content[${partIndex}]`)) });
      continue;
    }
    const parts = encodeGeminiModelParts(message.content, (partIndex) =>
      invalidRequest('tool call arguments must be a JSON object', `${param}.content[${partIndex}].arguments`),
    );
    if (needsSignatures) {
      const firstCall = parts.find((part) => part.functionCall);
      if (firstCall && !firstCall.thoughtSignature) firstCall.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
    }
    // An empty model turn goes as `{role: "model"}`: Gemini returns and accepts it (capture simpleRequestTruncated).
    contents.push(parts.length > 0 ? { role: 'model', parts } : { role: 'model' });
  }
  return contents;
}

function encodeUserPart(part: UserPart, param: string): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image':
      return encodeGeminiMedia(part.source, undefined, 'image/jpeg', param);
    case 'file':
      return encodeGeminiMedia(part.source, part.mediaType, undefined, param);
  }
}

function encodeToolResult(result: ToolResultPart, messages: ChatMessage[], before: number, param: string): GeminiPart {
  const name = result.toolName ?? findCallName(messages, before, result.toolCallId);
  if (!name) throw invalidRequest(`tool result ${result.toolCallId} matches no earlier tool call, and Gemini needs the function name`, param);
  const text = result.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
  const media: GeminiFunctionResponsePart[] = [];
  result.content.forEach((part, index) => {
    if (part.type === 'text') return;
    const at = `${param}.content[${index}]`;
    const encoded = encodeGeminiMedia(part.source, part.type === 'file' ? part.mediaType : undefined, undefined, at);
    // Function responses carry inline bytes only ("fileData is not supported in Gemini API").
    if ('fileData' in encoded) throw unsupported('a file URL inside a tool result', at);
    media.push(encoded);
  });
  return {
    functionResponse: {
      name,
      response: encodeFunctionResponseObject(text, result.isError === true),
      ...(isGeneratedCallId(result.toolCallId) ? {} : { id: result.toolCallId }),
      ...(media.length > 0 ? { parts: media } : {}),
    },
  };
}

function findCallName(messages: ChatMessage[], before: number, id: string): string | undefined {
  for (let index = before - 1; index >= 0; index--) {
    const message = messages[index];
    if (message.role !== 'assistant') continue;
    const call = message.content.find((part) => part.type === 'tool-call' && part.id === id);
    if (call && call.type === 'tool-call') return call.name;
  }
  return undefined;
}

function encodeToolConfig(request: ChatRequest): GeminiToolConfig | undefined {
  const choice = request.toolChoice;
  const strict = request.tools?.some((tool) => tool.strict === true) ?? false;
  switch (choice?.type) {
    case undefined:
      return strict ? { functionCallingConfig: { mode: 'VALIDATED' } } : undefined;
    case 'auto':
      return { functionCallingConfig: { mode: strict ? 'VALIDATED' : 'AUTO' } };
    case 'none':
      return { functionCallingConfig: { mode: 'NONE' } };
    case 'required':
      return { functionCallingConfig: { mode: 'ANY' } };
    case 'tool':
      return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
  }
}

function encodeGenerationConfig(request: ChatRequest, upstreamModel: string): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.maxOutputTokens !== undefined) config.maxOutputTokens = request.maxOutputTokens;
  if (request.stopSequences !== undefined && request.stopSequences.length > 0) config.stopSequences = request.stopSequences;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  const format = request.responseFormat;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    config.responseJsonSchema =
      format.description !== undefined && format.schema.description === undefined ? { ...format.schema, description: format.description } : format.schema;
  }
  if (request.reasoning) {
    const thinking = encodeThinkingConfig(request.reasoning, upstreamModel);
    if (thinking) config.thinkingConfig = thinking;
  }
  return config;
}

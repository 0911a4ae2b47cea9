import { AssistantPart, ChatResponse, GatewayError } from '../ir';
import { decodeAnthropicErrorBody } from './anthropic-errors';
import { AnthropicUsage } from './anthropic.types';
import { mapAnthropicStopReason } from './map-anthropic-stop-reason';
import { decodeAnthropicUsage } from './map-anthropic-usage';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Anthropic Message → ChatResponse. Blocks keep their order. Text
 * `citations` are not carried (the IR has no field; they only come with
 * search results or citation-enabled documents, which requests never get
 * through to an upstream). Server-tool blocks (server_tool_use,
 * web_search_tool_result, …) cannot be represented and fail the answer
 * loudly rather than vanish.
 */
export function decodeAnthropicResponse(body: unknown): ChatResponse {
  if (!isRecord(body)) throw malformed('the body is not a JSON object');
  if (body.type === 'error') throw decodeAnthropicErrorBody(body, 500);
  if (!Array.isArray(body.content)) throw malformed('the message has no content array');

  const content = body.content.map((block, index) => decodeAnthropicContentBlock(block, index));
  const rawStopReason = typeof body.stop_reason === 'string' ? body.stop_reason : undefined;
  const response: ChatResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason: mapAnthropicStopReason(rawStopReason),
    usage: decodeAnthropicUsage(isRecord(body.usage) ? (body.usage as AnthropicUsage) : undefined),
  };
  if (rawStopReason !== undefined) response.rawFinishReason = rawStopReason;
  if (typeof body.stop_sequence === 'string') response.stopSequence = body.stop_sequence;
  return response;
}

export function decodeAnthropicContentBlock(block: unknown, index: number): AssistantPart {
  if (!isRecord(block) || typeof block.type !== 'string') throw malformed(`content[${index}] is not a content block`);
  switch (block.type) {
    case 'text':
      return { type: 'text', text: typeof block.text === 'string' ? block.text : '' };
    case 'thinking':
      return typeof block.signature === 'string' && block.signature !== ''
        ? { type: 'reasoning', text: stringOf(block.thinking), provider: 'anthropic', signature: block.signature }
        : { type: 'reasoning', text: stringOf(block.thinking), provider: 'anthropic' };
    case 'redacted_thinking':
      return { type: 'reasoning', text: '', provider: 'anthropic', redactedData: stringOf(block.data) };
    case 'tool_use':
      if (typeof block.id !== 'string' || typeof block.name !== 'string') throw malformed(`content[${index}] is a tool_use without id or name`);
      // Anthropic gives the input as an object: its JSON text is the IR's arguments.
      return { type: 'tool-call', id: block.id, name: block.name, arguments: JSON.stringify(isRecord(block.input) ? block.input : {}) };
    default:
      throw untranslatableBlock(block.type);
  }
}

function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function malformed(detail: string): GatewayError {
  return new GatewayError('upstream', `The Anthropic upstream answered an unreadable message: ${detail}`, { retryable: true });
}

/** A block only server tools produce: retrying elsewhere would not help. */
export function untranslatableBlock(type: string): GatewayError {
  return new GatewayError('upstream', `The Anthropic upstream answered a '${type}' content block, which cannot be translated`, {
    retryable: false,
  });
}

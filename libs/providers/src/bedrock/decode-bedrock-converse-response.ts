import { randomUUID } from 'node:crypto';
import { AssistantPart, ChatResponse, GatewayError } from '../ir';
import { BedrockTokenUsage } from './bedrock-converse.types';
import { mapBedrockStopReason } from './map-bedrock-stop-reason';
import { decodeBedrockUsage } from './map-bedrock-usage';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Converse answers carry no id (only the x-amzn-requestid header): one is made up, as the Gemini decoder does. */
export function newBedrockResponseId(): string {
  return `bedrock-${randomUUID().replace(/-/g, '')}`;
}

/**
 * Converse answer → ChatResponse: output.message.content in order (text,
 * reasoningContent, toolUse), stopReason, usage. Citations, guardrail
 * traces and metrics are not carried (the IR has no field). A block the IR
 * cannot hold (an image or document the model produced, a server tool
 * result) fails the answer loudly rather than vanish.
 */
export function decodeBedrockConverseResponse(body: unknown): ChatResponse {
  if (!isRecord(body)) throw malformed('the body is not a JSON object');
  const output = isRecord(body.output) ? body.output : undefined;
  const message = isRecord(output?.message) ? output.message : undefined;
  if (!message || !Array.isArray(message.content)) throw malformed('output.message has no content array');

  const content = message.content.flatMap((block, index) => decodeBlock(block, index));
  const rawStopReason = typeof body.stopReason === 'string' ? body.stopReason : undefined;
  const response: ChatResponse = {
    id: newBedrockResponseId(),
    model: '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason: mapBedrockStopReason(rawStopReason),
    usage: decodeBedrockUsage(isRecord(body.usage) ? (body.usage as BedrockTokenUsage) : undefined),
  };
  if (rawStopReason !== undefined) response.rawFinishReason = rawStopReason;
  const stopSequence = isRecord(body.additionalModelResponseFields) ? body.additionalModelResponseFields.stop_sequence : undefined;
  if (typeof stopSequence === 'string') response.stopSequence = stopSequence;
  return response;
}

function decodeBlock(block: unknown, index: number): AssistantPart[] {
  if (!isRecord(block)) throw malformed(`content[${index}] is not a content block`);
  if (typeof block.text === 'string') return [{ type: 'text', text: block.text }];
  if (isRecord(block.toolUse)) {
    const toolUse = block.toolUse;
    if (typeof toolUse.toolUseId !== 'string' || typeof toolUse.name !== 'string') throw malformed(`content[${index}] is a toolUse without id or name`);
    // Converse gives the input as a JSON document: its text is the IR's arguments.
    return [{ type: 'tool-call', id: toolUse.toolUseId, name: toolUse.name, arguments: JSON.stringify(toolUse.input ?? {}) }];
  }
  if (isRecord(block.reasoningContent)) {
    const reasoning = block.reasoningContent;
    if (typeof reasoning.redactedContent === 'string') return [{ type: 'reasoning', text: '', redactedData: reasoning.redactedContent }];
    const text = isRecord(reasoning.reasoningText) ? reasoning.reasoningText : {};
    const signature = typeof text.signature === 'string' && text.signature !== '' ? { signature: text.signature } : {};
    return [{ type: 'reasoning', text: typeof text.text === 'string' ? text.text : '', ...signature }];
  }
  // A cache point echoes nothing the client needs.
  if (isRecord(block.cachePoint)) return [];
  const kind = Object.keys(block)[0] ?? 'empty';
  throw new GatewayError('upstream', `The Bedrock upstream answered a '${kind}' content block, which cannot be translated`, { retryable: false });
}

function malformed(detail: string): GatewayError {
  return new GatewayError('upstream', `The Bedrock upstream answered an unreadable message: ${detail}`, { retryable: true });
}

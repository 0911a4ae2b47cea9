import { AssistantPart, ChatResponse, ClientResponseContext } from '../ir';
import { AnthropicRedactedThinkingBlock, AnthropicStopReason, AnthropicTextBlock, AnthropicThinkingBlock, AnthropicToolUseBlock } from './anthropic.types';
import { toAnthropicStopReason } from './map-anthropic-stop-reason';
import { EncodedAnthropicUsage, encodeAnthropicUsage } from './map-anthropic-usage';
import { parseToolArguments } from './parse-tool-arguments';

export type AnthropicClientContentBlock = AnthropicTextBlock | AnthropicThinkingBlock | AnthropicRedactedThinkingBlock | AnthropicToolUseBlock;

export interface AnthropicClientMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicClientContentBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: string | null;
  usage: EncodedAnthropicUsage;
}

/** Anthropic SDKs and apps expect `msg_…` ids; another provider's id is kept behind the prefix. */
export function toAnthropicMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

/**
 * One answer part as an Anthropic client sees it, or null when it has no
 * Anthropic form. Reasoning keeps its signature only when Anthropic issued
 * it (a Gemini or OpenAI opaque value would be rejected if sent back to
 * Anthropic, and means nothing to the client); reasoning with neither text
 * nor an Anthropic opaque value is left out. Tool-call arguments become the
 * `input` object; text that is not a JSON object (another provider's
 * output cut by max_tokens) becomes {}, as Anthropic's own cut tool calls do.
 */
export function toAnthropicClientBlock(part: AssistantPart): AnthropicClientContentBlock | null {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'reasoning': {
      const ours = part.provider === 'anthropic';
      if (ours && part.redactedData !== undefined) return { type: 'redacted_thinking', data: part.redactedData };
      const signature = ours ? (part.signature ?? '') : '';
      if (part.text === '' && signature === '') return null;
      return { type: 'thinking', thinking: part.text, signature };
    }
    case 'tool-call':
      return { type: 'tool_use', id: part.id, name: part.name, input: parseToolArguments(part.arguments) ?? {} };
  }
}

/** ChatResponse → the Anthropic Message JSON answer. */
export function encodeAnthropicResponse(response: ChatResponse, context: ClientResponseContext): AnthropicClientMessage {
  const content = response.content.map(toAnthropicClientBlock).filter((block): block is AnthropicClientContentBlock => block !== null);
  const hasToolCalls = content.some((block) => block.type === 'tool_use');
  return {
    id: toAnthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: toAnthropicStopReason(response.finishReason, response.rawFinishReason, response.stopSequence, hasToolCalls),
    stop_sequence: response.stopSequence ?? null,
    usage: encodeAnthropicUsage(response.usage),
  };
}

import { randomUUID } from 'node:crypto';
import { ClientResponseContext, StreamEncoder, StreamEvent, Usage } from '../ir';
import { formatSse } from '../sse/sse-writer';
import { toOpenAiChatFinishReason } from './map-openai-chat-finish-reason';
import { encodeOpenAiChatUsage } from './map-openai-chat-usage';
import { encodeOpenAiChatErrorBody } from './openai-chat-errors';
import { OpenAiChatChunk, OpenAiChatFinishReason, OpenAiChatStreamDelta } from './openai-chat.types';

/**
 * The client context, plus whether the client asked for usage in the stream
 * (ChatRequest.streamUsage; absent: send it). Not in the IR's
 * ClientResponseContext yet: a caller that passes the request's flag along
 * gets OpenAI's exact behaviour.
 */
export interface OpenAiChatResponseContext extends ClientResponseContext {
  streamUsage?: boolean;
}

/**
 * Canonical events → `chat.completion.chunk` SSE for a Chat client, framed
 * like OpenAI: no `event:` names; every chunk has the same id, created and
 * model; the first says `role: assistant` with empty content; tool calls are
 * numbered 0, 1, 2 among tool calls (not by part index), the first delta of
 * a call carrying id, type, name and empty arguments; then a chunk with the
 * finish_reason and an empty delta; then the usage chunk with `choices: []`
 * (what include_usage produces), unless the context says the client did not
 * ask for it (`streamUsage: false`: naive clients read choices[0] of every
 * chunk); then `data: [DONE]`. An error is `data: {"error":{…}}` and the stream stops,
 * without [DONE], as OpenAI does.
 *
 * Reasoning text goes out as the non-standard delta.reasoning_content
 * (DeepSeek / vLLM); signature-only reasoning deltas have nothing to show.
 */
export class OpenAiChatStreamEncoder implements StreamEncoder {
  private id = '';
  private created = 0;
  private started = false;
  private done = false;
  /** IR part index → tool call index among tool calls. */
  private readonly toolIndexes = new Map<number, number>();

  constructor(private readonly context: OpenAiChatResponseContext) {}

  encode(event: StreamEvent): string {
    if (this.done) return '';
    switch (event.type) {
      case 'start':
        if (this.started) return '';
        return this.start(event.id, event.created);
      case 'text-delta':
        return event.text === '' ? this.ensureStarted() : this.ensureStarted() + this.chunk({ content: event.text });
      case 'reasoning-delta':
        return event.text ? this.ensureStarted() + this.chunk({ reasoning_content: event.text }) : this.ensureStarted();
      case 'tool-call-start': {
        const toolIndex = this.toolIndexes.size;
        this.toolIndexes.set(event.index, toolIndex);
        return (
          this.ensureStarted() +
          this.chunk({ tool_calls: [{ index: toolIndex, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }] })
        );
      }
      case 'tool-call-delta': {
        const toolIndex = this.toolIndexes.get(event.index);
        if (toolIndex === undefined || event.argumentsDelta === '') return this.ensureStarted();
        return this.ensureStarted() + this.chunk({ tool_calls: [{ index: toolIndex, function: { arguments: event.argumentsDelta } }] });
      }
      case 'part-end':
        return '';
      case 'finish': {
        const text =
          this.ensureStarted() +
          this.chunk({}, toOpenAiChatFinishReason(event.finishReason)) +
          (this.context.streamUsage !== false && hasUsage(event.usage) ? formatSse(this.frame([], event.usage)) : '') +
          formatSse('[DONE]');
        this.done = true;
        return text;
      }
      case 'error':
        this.done = true;
        return formatSse(encodeOpenAiChatErrorBody(event.error));
    }
  }

  private start(id: string, created: number): string {
    this.started = true;
    this.id = id || `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    this.created = created;
    return this.chunk({ role: 'assistant', content: '', refusal: null });
  }

  /** A part event before `start` (a decoder bug) still yields a well-formed stream. */
  private ensureStarted(): string {
    return this.started ? '' : this.start('', Math.floor(Date.now() / 1000));
  }

  private chunk(delta: OpenAiChatStreamDelta, finishReason: OpenAiChatFinishReason | null = null): string {
    return formatSse(this.frame([{ index: 0, delta, finish_reason: finishReason }]));
  }

  private frame(choices: NonNullable<OpenAiChatChunk['choices']>, usage?: Usage): OpenAiChatChunk {
    return {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.context.model,
      choices,
      ...(usage ? { usage: encodeOpenAiChatUsage(usage) } : {}),
    };
  }
}

/** A stream whose upstream reported no usage has all zeros: nothing to tell the client. */
function hasUsage(usage: Usage): boolean {
  return usage.inputTokens + usage.outputTokens > 0;
}

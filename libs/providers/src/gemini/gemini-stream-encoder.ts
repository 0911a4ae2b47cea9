import { ClientResponseContext, GatewayError, ProviderFamily, StreamEncoder, StreamEvent, Usage } from '../ir';
import { formatSse } from '../sse/sse-writer';
import { parseToolArguments } from './encode-gemini-model-parts';
import { encodeGeminiError } from './gemini-errors';
import { isGeneratedCallId } from './gemini-tool-call-id';
import { GeminiCandidate, GeminiGenerateContentResponse, GeminiPart } from './gemini.types';
import { toGeminiFinishReason } from './map-gemini-finish-reason';
import { toGeminiPromptUsage, toGeminiUsage } from './map-gemini-usage';

/**
 * Canonical events → `streamGenerateContent?alt=sse` for a Gemini client:
 * one `data:` GenerateContentResponse chunk per text / thought delta, no event
 * names, no terminator; the last chunk carries finishReason and the final
 * usageMetadata (earlier chunks the prompt usage, when known).
 *
 * - a tool call is buffered until its part-end (Gemini never streams partial
 *   arguments) and sent whole as a functionCall part; arguments that are not a
 *   JSON object end the stream with an error chunk;
 * - a Gemini signature-only reasoning part waits for the next text chunk and
 *   rides on it (`{text, thoughtSignature}`), or goes alone as
 *   `{text: "", thoughtSignature}` — the inverse of GeminiStreamDecoder;
 * - other families' signatures / encrypted reasoning are dropped, their
 *   reasoning text is sent as thought parts;
 * - an `error` event becomes `data: {"error": {code, message, status}}`, the
 *   way Gemini reports a failure mid-stream, and ends the stream.
 */
export class GeminiStreamEncoder implements StreamEncoder {
  private responseId = '';
  private promptUsage: Partial<Usage> | undefined;
  private readonly providers = new Map<number, ProviderFamily | undefined>();
  private readonly reasoningWithText = new Set<number>();
  private readonly calls = new Map<number, { id: string; name: string; thoughtSignature?: string; arguments: string }>();
  private pendingSignature: string | undefined;
  private done = false;

  constructor(private readonly context: ClientResponseContext) {}

  encode(event: StreamEvent): string {
    if (this.done) return '';
    switch (event.type) {
      case 'start':
        this.responseId = event.id;
        this.promptUsage = event.usage;
        return '';
      case 'text-delta':
        if (event.text === '') return '';
        return this.chunk([this.withPendingSignature({ text: event.text })]);
      case 'reasoning-delta': {
        if (event.provider !== undefined) this.providers.set(event.index, event.provider);
        const signature = this.providers.get(event.index) === 'gemini' ? event.signature : undefined;
        if (event.text) {
          this.reasoningWithText.add(event.index);
          return this.flushPendingSignature() + this.chunk([{ text: event.text, thought: true, ...(signature ? { thoughtSignature: signature } : {}) }]);
        }
        if (!signature) return '';
        if (this.reasoningWithText.has(event.index)) {
          return this.flushPendingSignature() + this.chunk([{ text: '', thought: true, thoughtSignature: signature }]);
        }
        const flushed = this.flushPendingSignature();
        this.pendingSignature = signature;
        return flushed;
      }
      case 'tool-call-start':
        this.calls.set(event.index, { id: event.id, name: event.name, thoughtSignature: event.thoughtSignature, arguments: '' });
        return '';
      case 'tool-call-delta': {
        const call = this.calls.get(event.index);
        if (call) call.arguments += event.argumentsDelta;
        return '';
      }
      case 'part-end':
        return this.calls.has(event.index) ? this.functionCallChunk(event.index) : '';
      case 'finish': {
        let text = '';
        for (const index of [...this.calls.keys()]) text += this.functionCallChunk(index);
        if (this.done) return text;
        this.done = true;
        const candidate: GeminiCandidate = {
          content: { parts: [this.withPendingSignature({ text: '' })], role: 'model' },
          finishReason: toGeminiFinishReason(event.finishReason, event.rawFinishReason),
          index: 0,
        };
        return text + formatSse(this.envelope(candidate, toGeminiUsage(event.usage)));
      }
      case 'error':
        return this.error(event.error);
    }
  }

  private functionCallChunk(index: number): string {
    const call = this.calls.get(index)!;
    this.calls.delete(index);
    const args = parseToolArguments(call.arguments);
    if (!args) return this.error(new GatewayError('upstream', 'the upstream produced tool call arguments that are not a JSON object', { retryable: false }));
    const part: GeminiPart = {
      functionCall: { name: call.name, args, ...(isGeneratedCallId(call.id) ? {} : { id: call.id }) },
      ...(call.thoughtSignature ? { thoughtSignature: call.thoughtSignature } : {}),
    };
    return this.flushPendingSignature() + this.chunk([part]);
  }

  private withPendingSignature(part: GeminiPart): GeminiPart {
    if (this.pendingSignature === undefined) return part;
    const signed = { ...part, thoughtSignature: this.pendingSignature };
    this.pendingSignature = undefined;
    return signed;
  }

  private flushPendingSignature(): string {
    return this.pendingSignature === undefined ? '' : this.chunk([this.withPendingSignature({ text: '' })]);
  }

  private chunk(parts: GeminiPart[]): string {
    const usage = this.promptUsage ? toGeminiPromptUsage(this.promptUsage) : undefined;
    return formatSse(this.envelope({ content: { parts, role: 'model' }, index: 0 }, usage));
  }

  private envelope(candidate: GeminiCandidate, usage: GeminiGenerateContentResponse['usageMetadata']): GeminiGenerateContentResponse {
    return {
      candidates: [candidate],
      ...(usage ? { usageMetadata: usage } : {}),
      modelVersion: this.context.model,
      responseId: this.responseId,
    };
  }

  private error(error: GatewayError): string {
    this.done = true;
    return formatSse(encodeGeminiError(error).body);
  }
}

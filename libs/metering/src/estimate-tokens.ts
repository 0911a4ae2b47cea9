import { ChatRequest } from '@aigw/providers';
import { createRequire } from 'node:module';

/**
 * The tokenizer's tables cost ~70 MB of memory: loaded on first use (a
 * count_tokens call or an upstream that reports no usage), not at start.
 */
let tokenizer: typeof import('gpt-tokenizer') | null = null;
function countTokens(text: string): number {
  tokenizer ??= createRequire(__filename)('gpt-tokenizer') as typeof import('gpt-tokenizer');
  return tokenizer.countTokens(text);
}

/** Tokens charged for an image or document part, whatever its size (OpenAI's low-detail image cost). */
const MEDIA_PART_TOKENS = 85;
/** Per-message framing tokens (role markers), as in OpenAI's chat format. */
const MESSAGE_OVERHEAD = 3;

/**
 * An estimate of a request's prompt tokens with the o200k tokenizer
 * (gpt-tokenizer). Used where the upstream reports nothing (usage is then
 * flagged as estimated) and for count_tokens when no upstream can count.
 * Other providers' tokenizers differ by some percent; it is an estimate.
 */
export function estimateInputTokens(request: ChatRequest): number {
  let total = 0;
  const text = (value: string) => {
    if (value) total += countTokens(value);
  };
  for (const part of request.system) text(part.text);
  for (const message of request.messages) {
    total += MESSAGE_OVERHEAD;
    if (message.role === 'system') {
      for (const part of message.content) text(part.text);
      continue;
    }
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
          text(part.text);
          break;
        case 'image':
        case 'file':
          total += MEDIA_PART_TOKENS;
          break;
        case 'reasoning':
          text(part.text);
          break;
        case 'tool-call':
          text(part.name);
          text(part.arguments);
          break;
        case 'tool-result':
          for (const item of part.content) {
            if (item.type === 'text') text(item.text);
            else total += MEDIA_PART_TOKENS;
          }
          break;
      }
    }
  }
  for (const tool of request.tools ?? []) {
    text(tool.name);
    text(tool.description ?? '');
    text(JSON.stringify(tool.parameters));
  }
  return total;
}

/** Output tokens of generated text, for upstreams that report no usage. */
export function estimateTextTokens(textValue: string): number {
  return textValue ? countTokens(textValue) : 0;
}

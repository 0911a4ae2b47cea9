import { AssistantPart, GatewayError } from '../ir';
import { GeminiPart } from './gemini.types';
import { isGeneratedCallId } from './gemini-tool-call-id';
import { JsonRecord, isRecord } from './gemini-json.util';

/**
 * IR assistant parts → the parts of a `model` content (upstream history, or
 * a candidate shown to a Gemini client). The inverse of decodeGeminiModelParts:
 *
 * - a Gemini signature-only reasoning part goes back onto the text part that
 *   follows it (`{text, thoughtSignature}`), or stands alone as
 *   `{text: "", thoughtSignature}` (the shape Gemini 3 itself streams last);
 * - reasoning with text → `{text, thought: true}`, with its thoughtSignature
 *   only when Gemini issued it; another family's signature / encrypted
 *   content / redacted data is dropped, and a part holding nothing else is
 *   dropped whole (Gemini could not verify it);
 * - tool calls → `{functionCall: {name, args, id}}` with the call's
 *   thoughtSignature; made-up ids are left out; `args` must be a JSON object;
 * - empty text parts are left out (Gemini rejects an empty text parameter).
 *
 * `invalidArguments` makes the error for a call whose arguments are not a
 * JSON object (a client mistake in a request, an upstream fault in a response).
 */
export function encodeGeminiModelParts(content: AssistantPart[], invalidArguments: (index: number) => GatewayError): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pendingSignature: string | undefined;
  const flush = () => {
    if (pendingSignature !== undefined) parts.push({ text: '', thoughtSignature: pendingSignature });
    pendingSignature = undefined;
  };
  content.forEach((part, index) => {
    switch (part.type) {
      case 'text':
        if (pendingSignature !== undefined) {
          parts.push({ text: part.text, thoughtSignature: pendingSignature });
          pendingSignature = undefined;
        } else if (part.text !== '') parts.push({ text: part.text });
        return;
      case 'reasoning': {
        flush();
        const signature = part.provider === 'gemini' ? part.signature : undefined;
        if (part.text === '') {
          pendingSignature = signature;
          return;
        }
        parts.push({ text: part.text, thought: true, ...(signature ? { thoughtSignature: signature } : {}) });
        return;
      }
      case 'tool-call': {
        flush();
        const args = parseToolArguments(part.arguments);
        if (!args) throw invalidArguments(index);
        parts.push({
          functionCall: { name: part.name, args, ...(isGeneratedCallId(part.id) ? {} : { id: part.id }) },
          ...(part.thoughtSignature ? { thoughtSignature: part.thoughtSignature } : {}),
        });
        return;
      }
    }
  });
  flush();
  return parts;
}

/** Arguments JSON text → the object Gemini wants; '' (a call without arguments) is {}; null when not an object. */
export function parseToolArguments(text: string): JsonRecord | null {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

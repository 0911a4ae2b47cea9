import { AssistantPart, ReasoningPart, invalidRequest, unsupported } from '../ir';
import { isRecord, readField } from './gemini-json.util';

/**
 * The parts of a `model` content (history in a request, or a candidate in a
 * response) → IR assistant parts, in order.
 *
 * - `{text, thought: true}` → reasoning (provider gemini, thoughtSignature as
 *   its signature);
 * - `{text}` → text; a thoughtSignature on it (Gemini puts one on the first
 *   text part, or on the last, possibly empty, one) becomes a signature-only
 *   reasoning part placed right BEFORE the text: the IR's TextPart has no
 *   signature, and the encoders put it back on the following text part
 *   (other families drop it: opaque data only);
 * - `{functionCall}` → tool call, arguments = JSON text of `args`, the part's
 *   thoughtSignature kept on the call, the id made up by `callId` when
 *   Gemini gave none (see gemini-tool-call-id.ts);
 * - an empty text part without signature carries nothing and is skipped.
 *
 * Media, executable code and code results in a model turn cannot be carried
 * (the IR's assistant has no media or built-in tool parts): unsupported.
 */
export function decodeGeminiModelParts(parts: unknown[], param: string, callId: (partIndex: number) => string): AssistantPart[] {
  const content: AssistantPart[] = [];
  parts.forEach((part, index) => {
    const at = `${param}[${index}]`;
    if (!isRecord(part)) throw invalidRequest('a part must be an object', at);
    const signature = readField(part, 'thoughtSignature');
    if (signature !== undefined && typeof signature !== 'string') throw invalidRequest('thoughtSignature must be a string', `${at}.thoughtSignature`);
    const functionCall = readField(part, 'functionCall');
    const text = readField(part, 'text');
    if (functionCall !== undefined) {
      if (!isRecord(functionCall)) throw invalidRequest('functionCall must be an object', `${at}.functionCall`);
      const name = readField(functionCall, 'name');
      if (typeof name !== 'string' || name === '') throw invalidRequest('functionCall.name must be a non-empty string', `${at}.functionCall.name`);
      const args = readField(functionCall, 'args') ?? {};
      if (!isRecord(args)) throw invalidRequest('functionCall.args must be an object', `${at}.functionCall.args`);
      const id = readField(functionCall, 'id');
      if (id !== undefined && typeof id !== 'string') throw invalidRequest('functionCall.id must be a string', `${at}.functionCall.id`);
      content.push({
        type: 'tool-call',
        id: id || callId(index),
        name,
        arguments: JSON.stringify(args),
        ...(signature ? { thoughtSignature: signature } : {}),
      });
      return;
    }
    if (text !== undefined) {
      if (typeof text !== 'string') throw invalidRequest('text must be a string', `${at}.text`);
      if (readField(part, 'thought') === true) {
        if (text !== '' || signature) content.push(reasoning(text, signature));
        return;
      }
      if (signature) content.push(reasoning('', signature));
      if (text !== '') content.push({ type: 'text', text });
      return;
    }
    for (const kind of ['inlineData', 'fileData', 'executableCode', 'codeExecutionResult']) {
      if (readField(part, kind) !== undefined) throw unsupported(`${kind} in a model turn`, `${at}.${kind}`);
    }
    if (readField(part, 'functionResponse') !== undefined) throw invalidRequest('functionResponse belongs in a user turn', `${at}.functionResponse`);
    // A part holding nothing but a signature (seen in Gemini 3 streams).
    if (signature) {
      content.push(reasoning('', signature));
      return;
    }
    throw invalidRequest('the part has no text, functionCall or other supported data', at);
  });
  return content;
}

function reasoning(text: string, signature: string | undefined): ReasoningPart {
  return { type: 'reasoning', text, provider: 'gemini', ...(signature ? { signature } : {}) };
}

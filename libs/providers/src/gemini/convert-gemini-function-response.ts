import { JsonRecord, isRecord } from './gemini-json.util';

/**
 * A functionResponse's `response` is a JSON object; the IR's tool result is
 * text. The API's own convention (FunctionResponse.response doc): "Use
 * `output` key to specify function output and `error` key to specify error
 * details. If `output` and `error` keys are not specified, then whole
 * `response` is treated as function output." So `output`/`error` are used
 * (rather than an ad-hoc `result`), and both directions round-trip:
 *
 * - `{output: "text"}` ⇄ "text"; `{error: "text"}` ⇄ "text" with isError;
 * - any other object ⇄ its JSON text (an `error` key marks it an error);
 * - text that is a JSON object goes as that object (the model sees the
 *   structure, not an escaped string), a JSON array goes as `{output: [...]}`,
 *   anything else (plain text, numbers) as `{output: "<text>"}`.
 */
export function decodeFunctionResponseObject(response: JsonRecord): { text: string; isError: boolean } {
  const keys = Object.keys(response);
  if (keys.length === 1 && keys[0] === 'output' && typeof response.output === 'string') return { text: response.output, isError: false };
  if (keys.length === 1 && keys[0] === 'error' && typeof response.error === 'string') return { text: response.error, isError: true };
  const isError = 'error' in response && !('output' in response) && response.error !== null;
  return { text: JSON.stringify(response), isError };
}

export function encodeFunctionResponseObject(text: string, isError: boolean): JsonRecord {
  const parsed = parseStructured(text);
  if (isError) return isRecord(parsed) && 'error' in parsed ? parsed : { error: parsed ?? text };
  if (isRecord(parsed)) return 'error' in parsed && !('output' in parsed) ? { output: parsed } : parsed;
  return { output: parsed ?? text };
}

/** The text's JSON value when it is an object or an array; undefined otherwise (plain text, "5", "true"). */
function parseStructured(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

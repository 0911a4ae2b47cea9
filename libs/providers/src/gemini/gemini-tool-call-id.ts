/**
 * Gemini 2.x function calls carry no id (Gemini 3 sets one, e.g. "w6geog7o"),
 * and a functionResponse is matched to its call by name and order. The IR
 * needs an id on every call and result, so the codec makes one up:
 *
 * - in a request, from the call's position: `gemini_call_c{content}_p{part}`.
 *   The same history always yields the same ids (stable across the turns of
 *   a conversation), and a functionResponse without id takes the id of the
 *   first unanswered call of the same name in the latest model turn;
 * - in a response, from the response id and the part index.
 *
 * A made-up id is never sent to Gemini (upstream request) nor shown to a
 * Gemini client (response): Gemini never issued it. Other clients (OpenAI,
 * Anthropic) see it, echo it back, and it is dropped again on the way to
 * Gemini. Only [A-Za-z0-9_-], so Anthropic's tool_use id pattern accepts it.
 */
export const GENERATED_CALL_ID_PREFIX = 'gemini_call_';

export function requestCallId(contentIndex: number, partIndex: number): string {
  return `${GENERATED_CALL_ID_PREFIX}c${contentIndex}_p${partIndex}`;
}

export function responseCallId(responseId: string, partIndex: number): string {
  return `${GENERATED_CALL_ID_PREFIX}${responseId.replace(/[^A-Za-z0-9_-]/g, '')}_${partIndex}`;
}

export function isGeneratedCallId(id: string): boolean {
  return id.startsWith(GENERATED_CALL_ID_PREFIX);
}

/**
 * Tool-call arguments (JSON text in the IR) → the `input` object Anthropic
 * wants. Empty text is an empty object (OpenAI-compatible servers send ""
 * for a call without arguments). Returns undefined when the text is not a
 * JSON object: the caller decides whether that is the client's fault or an
 * upstream's truncated output.
 */
export function parseToolArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Anthropic tool_use ids must match ^[a-zA-Z0-9_-]+$; other providers' ids are mapped the same way on both sides. */
export function toAnthropicToolId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_');
}

/**
 * Formats one SSE message. `data` is JSON-serialised unless already a string;
 * multi-line strings become several `data:` lines, as the spec requires.
 */
export function formatSse(data: unknown, event?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  const lines = text.split(/\r\n|\r|\n/).map((line) => `data: ${line}`);
  return `${event ? `event: ${event}\n` : ''}${lines.join('\n')}\n\n`;
}

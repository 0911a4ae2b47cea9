import { Protocol } from '@aigw/providers';

/** Path below the channel's base URL (the base as each official SDK takes it). */
export function upstreamPath(protocol: Protocol, upstreamModel: string, stream: boolean): string {
  switch (protocol) {
    case 'openai-chat':
      return '/chat/completions';
    case 'openai-responses':
      return '/responses';
    case 'anthropic':
      return '/v1/messages';
    case 'gemini':
      return `/v1beta/models/${encodeURIComponent(upstreamModel)}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`;
  }
}

export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

import { ProviderPreset } from '@aigw/contracts';
import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';
import { fixtureCase } from '../support/fixtures';
import { embeddingsAnswer } from './protocols';
import { addChatUsageChunk, frameCapturedEvents } from './stream-frames';

/** One request a preset's fake endpoint received (answered or refused). */
export interface PresetRequest {
  preset: string;
  /** The path below the preset's prefix, e.g. `/openai/v1/chat/completions` for Groq. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
  /** What the fake answered. */
  status: number;
}

export interface PresetFake {
  url: string;
  /** The base URL a channel of this preset uses: the fake's, then the preset id, then the path of its real base URL. */
  baseUrlFor(preset: ProviderPreset): string;
  keyFor(preset: ProviderPreset): string;
  received: PresetRequest[];
  close(): Promise<void>;
}

/** The path part of the preset's real (or example) base URL, kept so the fake checks where requests land. */
export function basePathOf(preset: ProviderPreset): string {
  return new URL(preset.baseUrl ?? preset.exampleBaseUrl!).pathname.replace(/\/+$/, '');
}

/**
 * One fake serving every OpenAI-compatible preset under its own prefix
 * (`/<preset id><its base path>`), each in its own dialect: it answers 401
 * unless the preset's auth carries the channel's key (and 401 when a keyless
 * preset receives any credential), 404 off the preset's paths, and 400 like
 * the provider when the body holds a parameter the preset does not take
 * (a quirk's parameter, a renamed field under its OpenAI name,
 * max_completion_tokens where only max_tokens is read, stream_options where
 * refused, messages[].name where refused). Chat answers replay the
 * `simpleRequest` Chat capture (streamed with a usage chunk, which the
 * providers without stream_options send unasked), Responses answers the
 * Responses capture, embeddings a small vector per input.
 */
export async function startPresetFake(presets: readonly ProviderPreset[]): Promise<PresetFake> {
  const byId = new Map(presets.map((preset) => [preset.id, preset]));
  const keyFor = (preset: ProviderPreset) => `sk-${preset.id}-upstream-0123456789`;
  const received: PresetRequest[] = [];
  const chat = fixtureCase('simpleRequest', 'chat-completions');
  const responses = fixtureCase('simpleRequest', 'responses');

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const [, id = '', ...rest] = (request.url ?? '/').split('?')[0].split('/');
      const preset = byId.get(id);
      const path = `/${rest.join('/')}`;
      let body: Record<string, any> = {};
      try {
        body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        body = {};
      }
      const answer = (status: number, payload: unknown, contentType = 'application/json') => {
        received.push({ preset: id, path, headers: request.headers, body, status });
        response.writeHead(status, { 'content-type': contentType });
        response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      const error = (status: number, message: string, param: string | null = null) =>
        answer(status, { error: { message, type: status === 401 ? 'authentication_error' : 'invalid_request_error', param, code: null } });

      if (!preset) return error(404, `no preset ${id}`);
      const authFailure = checkAuth(preset, request.headers, keyFor(preset));
      if (authFailure) return error(401, authFailure);
      const base = basePathOf(preset);
      const endpoint = path.startsWith(`${base}/`) ? path.slice(base.length) : null;
      if (endpoint === '/embeddings' && preset.capabilities.embeddings) return answer(200, embeddingsAnswer(body).body);
      if (endpoint === '/responses' && preset.capabilities.responses) {
        if (!body.stream) return answer(200, responses.read('response.json'));
        const events = responses.read<unknown[]>('response-streaming.json')!;
        return answer(200, frameCapturedEvents('openai-responses', events).join(''), 'text/event-stream');
      }
      if (endpoint !== '/chat/completions' || !preset.capabilities.chat) return error(404, `${preset.name} has no ${path}`);
      const refused = unsupportedParameter(preset, body);
      if (refused) return error(400, `Unsupported parameter: ${refused}`, refused);
      if (!body.stream) return answer(200, { ...chat.read<Record<string, unknown>>('response.json'), model: body.model });
      // Providers that take no stream_options (Mistral, Perplexity, GLM) end every stream with usage anyway.
      const usage = body.stream_options?.include_usage === true || !preset.quirks.streamOptions ? chat.read<{ usage: unknown }>('response.json')!.usage : undefined;
      const events = addChatUsageChunk(chat.read<unknown[]>('response-streaming.json')!, usage);
      answer(200, frameCapturedEvents('openai-chat', events).join(''), 'text/event-stream');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    baseUrlFor: (preset) => `${url}/${preset.id}${basePathOf(preset)}`,
    keyFor,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Why the preset's auth refuses this request, or undefined. */
function checkAuth(preset: ProviderPreset, headers: IncomingHttpHeaders, key: string): string | undefined {
  switch (preset.auth.style) {
    case 'none':
      return headers.authorization === undefined ? undefined : `${preset.name} takes no credential, got one`;
    case 'bearer':
      return headers.authorization === `Bearer ${key}` ? undefined : 'Incorrect API key provided';
    default:
      return headers[preset.auth.header!] === key ? undefined : 'Incorrect API key provided';
  }
}

/** The first field of the body this provider rejects, as the real one would. */
function unsupportedParameter(preset: ProviderPreset, body: Record<string, any>): string | undefined {
  const { quirks } = preset;
  for (const quirk of quirks.params) if (quirk.param in body) return quirk.param;
  for (const from of Object.keys(quirks.renames)) if (from in body) return from;
  if (quirks.maxTokensField === 'max_tokens' && 'max_completion_tokens' in body) return 'max_completion_tokens';
  if (!quirks.streamOptions && 'stream_options' in body) return 'stream_options';
  if (quirks.dropMessageNames && Array.isArray(body.messages) && body.messages.some((message: Record<string, unknown>) => 'name' in message)) return 'messages[].name';
  return undefined;
}

import { randomUUID } from 'node:crypto';
import { fixtureCase } from '../support/fixtures';
import { answerFromCapture } from './capture-answers';
import { CloudAnswer, CloudFakeServer, CloudRequest, CloudScript } from './cloud-fake-server';
import { completionsAnswer, embeddingsAnswer } from './protocols';
import { CHAT_TERMINATOR, addChatUsageChunk, frameEvent } from './stream-frames';

/** One Azure OpenAI request, as the fake understood it. */
export interface AzureApiRequest extends CloudRequest {
  style: 'deployment' | 'v1';
  operation: 'chat/completions' | 'responses' | 'embeddings' | 'completions';
  /** The deployment: from the path (deployment style) or the body's model. */
  deployment: string;
}

export interface FakeAzureOptions {
  key: string;
  /** The api-version deployment URLs must carry. */
  apiVersion: string;
  /** The resource's deployments; others answer DeploymentNotFound. */
  deployments: string[];
}

export interface FakeAzure {
  /** The resource endpoint, as `https://{resource}.openai.azure.com`. */
  url: string;
  apiRequests(): AzureApiRequest[];
  /** Queue an answer for the next API request(s) that pass the key, version and deployment checks. */
  respondWith(script: CloudScript, times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings|completions)$/;
const V1_PATH = /^\/openai\/v1\/(chat\/completions|responses|embeddings|completions)$/;

/** Azure's content-filter verdict on safe text (https://learn.microsoft.com/azure/ai-foundry/openai/concepts/content-filter). */
const SAFE = { filtered: false, severity: 'safe' };
export const SAFE_FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };

/**
 * A fake Azure OpenAI resource: the `api-key` header, deployment URLs with
 * `api-version` (chat/completions, embeddings, completions), Responses at
 * `/openai/responses?api-version=`, and the v1 API under `/openai/v1` (model
 * in the body, no api-version). Chat answers come from the chat-completions
 * captures with Azure's content-filter annotations added — the
 * prompt_filter_results chunk first in a stream, content_filter_results on
 * each choice — and Responses answers from the responses captures.
 */
export async function startFakeAzure(options: FakeAzureOptions): Promise<FakeAzure> {
  const server: CloudFakeServer = new CloudFakeServer((request): CloudAnswer => {
    const headers = azureHeaders();
    const key = request.headers['api-key'];
    if (key !== options.key) {
      return azureError(401, '401', 'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.', headers);
    }
    const parsed = route(request);
    if (!parsed) return azureError(404, '404', 'Resource not found', headers);
    if (parsed.style === 'deployment' && request.query['api-version'] !== options.apiVersion) {
      return request.query['api-version'] === undefined
        ? azureError(404, '404', 'Resource not found', headers)
        : azureError(400, 'BadRequest', `API version not supported: ${request.query['api-version']}`, headers);
    }
    if (parsed.style === 'v1' && request.query['api-version'] !== undefined) return azureError(400, 'BadRequest', 'api-version is not allowed on the v1 API', headers);
    if (!options.deployments.includes(parsed.deployment)) {
      return azureError(404, 'DeploymentNotFound', 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.', headers);
    }
    Object.assign(request, parsed);
    const scripted = server.takeScripted(request);
    if (scripted) return { ...scripted, headers: { ...headers, ...scripted.headers } };
    return { ...answer(request as AzureApiRequest), headers };
  });
  await server.start();
  return {
    url: server.url,
    apiRequests: () => server.received.filter((request): request is AzureApiRequest => 'operation' in request),
    respondWith: (script, times) => server.respondWith(script, times),
    reset: () => server.reset(),
    close: () => server.close(),
  };
}

function route(request: CloudRequest): Pick<AzureApiRequest, 'style' | 'operation' | 'deployment'> | null {
  if (request.method !== 'POST') return null;
  const deployment = DEPLOYMENT_PATH.exec(request.path);
  if (deployment) return { style: 'deployment', operation: deployment[2] as AzureApiRequest['operation'], deployment: decodeURIComponent(deployment[1]) };
  const model = String(request.body?.model ?? '');
  if (request.path === '/openai/responses') return { style: 'deployment', operation: 'responses', deployment: model };
  const v1 = V1_PATH.exec(request.path);
  if (v1) return { style: 'v1', operation: v1[1] as AzureApiRequest['operation'], deployment: model };
  return null;
}

function answer(request: AzureApiRequest): CloudAnswer {
  const stream = request.body?.stream === true;
  switch (request.operation) {
    case 'embeddings':
      return { kind: 'json', status: 200, body: embeddingsAnswer(request.body).body };
    case 'completions': {
      const answer = completionsAnswer(request.body);
      return stream ? { kind: 'stream', frames: answer.frames, contentType: 'text/event-stream; charset=utf-8' } : { kind: 'json', status: 200, body: answer.json.body };
    }
    case 'responses': {
      const captured = answerFromCapture('simpleRequest', false, { protocol: 'openai-responses', stream, body: request.body, query: request.query }, randomUUID());
      return captured.kind === 'json' ? { kind: 'json', status: captured.status, body: captured.body } : { kind: 'stream', frames: captured.frames, contentType: 'text/event-stream; charset=utf-8' };
    }
    case 'chat/completions':
      return chatAnswer(request.body, stream);
  }
}

/** The chat-completions capture as Azure sends it: filter annotations, and in a stream the prompt filter chunk first. */
function chatAnswer(body: any, stream: boolean): CloudAnswer {
  const capture = fixtureCase('simpleRequest', 'chat-completions');
  const json = capture.read<Record<string, any>>('response.json')!;
  const promptFilter = [{ prompt_index: 0, content_filter_results: SAFE_FILTER_RESULTS }];
  if (!stream) {
    const choices = (json.choices as Array<Record<string, unknown>>).map((choice) => ({ ...choice, content_filter_results: SAFE_FILTER_RESULTS }));
    return { kind: 'json', status: 200, body: { ...json, choices, prompt_filter_results: promptFilter } };
  }
  let chunks = capture.read<Array<Record<string, any>>>('response-streaming.json')!.map((chunk) => ({
    ...chunk,
    choices: (chunk.choices as Array<Record<string, any>>).map((choice) => ({ ...choice, content_filter_results: choice.delta?.content ? SAFE_FILTER_RESULTS : {} })),
  }));
  if (body?.stream_options?.include_usage === true) chunks = addChatUsageChunk(chunks, json.usage) as typeof chunks;
  const opening = { choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: promptFilter };
  return { kind: 'stream', frames: [opening, ...chunks].map((chunk) => frameEvent('openai-chat', chunk)).concat(CHAT_TERMINATOR), contentType: 'text/event-stream; charset=utf-8' };
}

/** Azure's error body: `{error:{code,message}}`, code a string. */
export function azureError(status: number, code: string, message: string, headers: Record<string, string> = azureHeaders(), extra: Record<string, unknown> = {}): CloudAnswer {
  return { kind: 'json', status, body: { error: { code, message, ...extra } }, headers };
}

function azureHeaders(): Record<string, string> {
  const id = randomUUID();
  return { 'apim-request-id': id, 'x-request-id': id, 'x-ms-region': 'East US', 'x-content-type-options': 'nosniff' };
}

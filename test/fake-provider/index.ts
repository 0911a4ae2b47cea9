/**
 * Fake upstream LLM providers for the gateway's tests: one node:http server speaking OpenAI Chat
 * Completions and Responses, Anthropic Messages and Gemini generateContent, answering from the
 * real captures in ../shared/fixtures and checking request bodies against the published schemas.
 *
 * @example
 * const fake = await startFakeProvider();
 * fake.respondWith({ kind: 'error', status: 429, headers: { 'retry-after': '1' } }, { protocol: 'anthropic' });
 * // point a channel at fake.baseUrls.anthropic with fake.keys.anthropic, call the gateway, then:
 * const upstream = await fake.nextRequest();
 * expect(upstream.schemaErrors).toEqual([]);
 * await fake.close();
 */
export { startFakeProvider } from './start-fake-provider';
export { CAPTURE_PROVIDERS } from './capture-answers';
export { validateRequestBody, requestSchemaName, type RequestSchemaName } from './request-schemas';
export type {
  Endpoint,
  FakeProvider,
  FakeProviderKeys,
  FakeProviderOptions,
  FakeResponse,
  Protocol,
  ReceivedRequest,
  RespondWithOptions,
  SseEvent,
  StreamTiming,
} from './types';

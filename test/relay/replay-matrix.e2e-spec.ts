import { ChatRequest, GatewayError, Protocol, codecFor } from '@aigw/providers';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFromCapture } from '../fake-provider/capture-answers';
import { FakeResponse } from '../fake-provider';
import { renderProtocolMatrix } from '../support/protocol-matrix-doc';
import { MODELS, RelayHarness, UPSTREAM_MODELS, startRelayHarness } from '../support/relay-harness';
import {
  CLIENTS,
  FAMILIES,
  ReplayCell,
  ReplayResult,
  actualAnswer,
  capturedRequest,
  cellKey,
  clientRequest,
  comparableCalls,
  decodeSseText,
  expectedAnswer,
  replayCells,
  upstreamProtocolOf,
} from '../support/replay-matrix';
import {
  FEATURE_CASES,
  Feature,
  callWithSdk,
  expectedFeatureAnswer,
  featureRequest,
  reasoningAnswer,
  wireAsksForReasoning,
  wireImages,
  wireToolChoice,
  wireTools,
} from '../support/sdk-features';

/**
 * The replay matrix: every captured request of a client protocol C, sent by
 * raw HTTP to a model of each upstream family U, answered by the fake with
 * U's capture of the same case, JSON and streamed. The answer, read with C's
 * codec, must say what U's capture says (text, tool calls, reasoning text,
 * finish reason, usage), and the upstream request must satisfy U's published
 * schema — or the gateway refuses the request with C's own 400 because the
 * case uses something U cannot express (the frozen REFUSED table).
 *
 * Regenerate docs/protocol-matrix.md from a run of this file:
 *   WRITE_MATRIX=1 npx vitest run --project relay test/relay/replay-matrix.e2e-spec.ts
 */

/** Every client protocol has a place for reasoning text: Chat `reasoning_content`, Responses reasoning items, Anthropic thinking blocks, Gemini thought parts. */
const CARRIES_REASONING: Record<Protocol, boolean> = { 'openai-chat': true, 'openai-responses': true, anthropic: true, gemini: true };

/**
 * Requests a codec refuses on purpose for that upstream: [error kind, param, why].
 * Derived from a run, then frozen: a change in what translates shows up here.
 * Keys are `client → upstream case[:followup]`; JSON and streamed alike.
 */
const REFUSED: Record<string, [kind: 'unsupported' | 'invalid_request', param: string, why: string]> = {
  'openai-responses → anthropic codeInterpreterToolParam': ['unsupported', 'tools[0].type', 'built-in code_interpreter runs at OpenAI'],
  'openai-responses → anthropic codeInterpreterToolParam:followup': ['unsupported', 'input[2].type', 'code_interpreter_call items in the history'],
  'openai-responses → anthropic responsesToolSearchInputParam': ['unsupported', 'input[1].type', 'tool_search_call items (OpenAI tool search)'],
  'openai-responses → anthropic responsesToolSearchInputParam:followup': ['unsupported', 'input[1].type', 'tool_search_call items (OpenAI tool search)'],
  'openai-responses → anthropic simpleRequest': ['unsupported', 'text.verbosity', "text.verbosity 'low' has no IR form"],
  'openai-responses → anthropic simpleRequest:followup': ['unsupported', 'text.verbosity', "text.verbosity 'low' has no IR form"],
  'openai-responses → anthropic webSearchToolParam': ['unsupported', 'tools[0].type', 'built-in web_search_preview runs at OpenAI'],
  'openai-responses → anthropic webSearchToolParam:followup': ['unsupported', 'input[2].type', 'web_search_call items in the history'],
  'openai-responses → gemini codeInterpreterToolParam': ['unsupported', 'tools[0].type', 'built-in code_interpreter runs at OpenAI'],
  'openai-responses → gemini codeInterpreterToolParam:followup': ['unsupported', 'input[2].type', 'code_interpreter_call items in the history'],
  'openai-responses → gemini simpleRequest': ['unsupported', 'text.verbosity', "text.verbosity 'low' has no IR form"],
  'openai-responses → gemini simpleRequest:followup': ['unsupported', 'text.verbosity', "text.verbosity 'low' has no IR form"],
  'openai-responses → gemini webSearchToolParam': ['unsupported', 'tools[0].type', 'built-in web_search_preview runs at OpenAI'],
  'openai-responses → gemini webSearchToolParam:followup': ['unsupported', 'input[2].type', 'web_search_call items in the history'],
  'anthropic → gemini codeInterpreterToolParam': ['unsupported', 'tools[0].type', 'Anthropic-defined bash_20250124 tool'],
  'anthropic → gemini codeInterpreterToolParam:followup': ['unsupported', 'tools[0].type', 'Anthropic-defined bash_20250124 tool'],
  'anthropic → gemini webSearchToolAdvancedParam': ['unsupported', 'tools[0].type', 'Anthropic server tool web_search_20250305'],
  'anthropic → gemini webSearchToolAdvancedParam:followup': ['unsupported', 'messages[1].content[0].type', 'server_tool_use blocks in the history'],
  'anthropic → gemini webSearchToolParam': ['unsupported', 'tools[0].type', 'Anthropic server tool web_search_20250305'],
  'anthropic → gemini webSearchToolParam:followup': ['unsupported', 'messages[1].content[0].type', 'server_tool_use blocks in the history'],
  'gemini → anthropic codeInterpreterToolParam': ['unsupported', 'tools[0].codeExecution', 'built-in codeExecution runs at Google'],
  'gemini → anthropic codeInterpreterToolParam:followup': ['unsupported', 'tools[0].codeExecution', 'built-in codeExecution runs at Google'],
  'gemini → anthropic webSearchToolAdvancedParam': ['unsupported', 'tools[0].googleSearch', 'built-in googleSearch runs at Google'],
  'gemini → anthropic webSearchToolAdvancedParam:followup': ['unsupported', 'tools[0].googleSearch', 'built-in googleSearch runs at Google'],
  'gemini → anthropic webSearchToolParam': ['unsupported', 'tools[0].googleSearch', 'built-in googleSearch runs at Google'],
  'gemini → anthropic webSearchToolParam:followup': ['unsupported', 'tools[0].googleSearch', 'built-in googleSearch runs at Google'],
};

/**
 * Same-protocol cells whose upstream answer holds output the IR cannot carry
 * (a provider's built-in tool output, audio/image output). The relay forwards
 * such requests untouched on purpose (relay.service.ts decodeForRelay), so the
 * only right answer is the upstream's bytes, untouched: [output item, why].
 */
const PASSTHROUGH_ONLY: Record<string, [item: string, why: string]> = {
  'openai-responses → openai-responses responsesCustomToolCallStreamingParam': ['custom_tool_call', 'custom (free-text) tool call'],
  'openai-responses → openai-responses responsesProgrammaticToolCallingToolsParam': ['program', 'programmatic tool calling'],
  'openai-responses → openai-responses responsesProgrammaticToolCallingToolsParam:followup': ['program_output', 'programmatic tool calling'],
  'openai-responses → openai-responses responsesAdditionalToolsMultipleToolsParam:followup': ['custom_tool_call', 'custom (free-text) tool call'],
  'anthropic → anthropic responsesToolSearchInputParam': ['server_tool_use', 'server-side tool search'],
  'anthropic → anthropic webSearchToolParam': ['server_tool_use', 'server-side web search'],
  'anthropic → anthropic webSearchToolAdvancedParam': ['server_tool_use', 'server-side web search'],
  'gemini → gemini codeInterpreterToolParam': ['executableCode', 'built-in code execution'],
  'gemini → gemini imageConfigParam': ['inlineData', 'image output'],
  'gemini → gemini responseModalitiesAudioParam': ['inlineData', 'audio output'],
  'gemini → gemini speechConfigParam': ['inlineData', 'audio output (TTS)'],
};

/**
 * Headers the official SDK sends with a captured request: Anthropic beta
 * parameters go to `client.beta.messages`, which names the beta (and the
 * relay forwards anthropic-beta to Anthropic channels only).
 */
const CLIENT_HEADERS: Record<string, Record<string, string>> = {
  'anthropic bedrockAnthropicContextManagementParam': { 'anthropic-beta': 'context-management-2025-06-27' },
  'anthropic outputFormatJsonSchemaParam': { 'anthropic-beta': 'structured-outputs-2025-11-13' },
};

/**
 * Captured client bodies the published request schema rejects, forwarded
 * untouched by passthrough: the errors are the client's, not the gateway's.
 */
const CLIENT_SCHEMA_ERRORS: Record<string, [errors: string[], why: string]> = {
  'anthropic → anthropic anthropicMessageWithSystemMessage': [
    ['/messages/1/role must be equal to one of the allowed values ["user","assistant"]'],
    "a mid-conversation role 'system' message (Claude Code): accepted by some models, absent from the published schema",
  ],
};

/**
 * Fixture oddities, handled on purpose. multimodalRequest's Responses followup
 * stream was recorded in the pre-GA `response.delta` format (no event names,
 * no response.completed): a same-protocol client gets those bytes and then an
 * error event, because the stream never completed by the Responses protocol.
 */
const LEGACY_STREAMS: Record<string, string> = {
  'openai-responses → openai-responses multimodalRequest:followup': 'The upstream stream ended before response.completed.',
};

/** Everything the spec treats specially besides refusals, for the generated page. */
const ODDITIES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(LEGACY_STREAMS).map(([key, message]) => [`${key} (stream)`, `followup-response-streaming.json is a legacy \`response.delta\` stream: the bytes are forwarded and end with an error event (“${message}”)`])),
  ...Object.fromEntries(Object.entries(CLIENT_SCHEMA_ERRORS).map(([key, [, why]]) => [key, `forwarded untouched; the client body itself breaks the published schema: ${why}`])),
  ...Object.fromEntries(Object.entries(CLIENT_HEADERS).map(([key, headers]) => [key, `sent with ${Object.entries(headers).map(([name, value]) => `\`${name}: ${value}\``).join(', ')}, as the SDK's beta surface does`])),
  'openai-chat streams': 'Chat captures were streamed without include_usage; the client asks for it (stream_options) and the fake adds the usage chunk with the numbers of the JSON capture',
  'anthropic streams': "the fake adds the `ping` Anthropic sends after message_start (SDK-recorded captures drop it)",
};

const replayResults = new Map<string, ReplayResult>();
const sdkResults = new Map<string, boolean>();

const cells = replayCells();

function describeName(client: Protocol, upstream: Protocol, stream: boolean): string {
  return `${client} → ${upstream} (${stream ? 'stream' : 'JSON'})`;
}

function sdkTestName(feature: Feature, client: Protocol, upstream: Protocol, stream: boolean): string {
  return `${feature}: ${client} client → ${upstream} upstream, ${stream ? 'streamed' : 'JSON'}`;
}

function catchError(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

function decodeClient(cell: ReplayCell, body: unknown): ChatRequest {
  return codecFor(cell.client).decodeRequest(body, cell.client === 'gemini' ? { model: MODELS[cell.family], stream: cell.stream } : {});
}

/** Which feature columns a cell exercises: from the client's request and the upstream's answer. */
function cellFeatures(cell: ReplayCell, body: Record<string, unknown>, expected?: { text: string; toolCalls: unknown[]; reasoning: string }): Set<Feature | 'text'> {
  const features = new Set<Feature | 'text'>();
  let chat: ChatRequest | undefined;
  try {
    chat = decodeClient(cell, body);
  } catch {
    // beyond the IR: only the raw body tells
  }
  const parts = chat?.messages.flatMap((message) => message.content as Array<{ type: string; content?: Array<{ type: string }> }>) ?? [];
  const hasTools = chat ? (chat.tools?.length ?? 0) > 0 || parts.some((part) => part.type === 'tool-call' || part.type === 'tool-result') : Array.isArray(body.tools);
  const hasImages = parts.some((part) => part.type === 'image' || part.content?.some((inner) => inner.type === 'image'));
  const reasoning = chat?.reasoning;
  const asksReasoning = reasoning !== undefined && reasoning.enabled !== false && reasoning.effort !== 'none';
  if (expected?.text) features.add('text');
  if (hasTools || (expected?.toolCalls.length ?? 0) > 0) features.add('tools');
  if (hasImages) features.add('images');
  if (asksReasoning || parts.some((part) => part.type === 'reasoning') || expected?.reasoning) features.add('reasoning');
  return features;
}

/** What a same-protocol upstream must receive: the client's body with the model swapped (and Chat stream usage asked for). */
function passthroughBody(cell: ReplayCell, body: Record<string, unknown>): Record<string, unknown> {
  if (cell.upstream === 'gemini') return body;
  const forwarded: Record<string, unknown> = { ...body, model: UPSTREAM_MODELS[cell.family] };
  if (cell.upstream === 'openai-chat' && cell.stream) forwarded.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
  return forwarded;
}

describe('replay matrix: captured requests × upstream captures', () => {
  let harness: RelayHarness;
  beforeAll(async () => {
    harness = await startRelayHarness();
  });
  afterAll(async () => {
    await harness?.close();
    if (process.env.WRITE_MATRIX === '1') {
      writeFileSync(resolve(__dirname, '../../docs/protocol-matrix.md'), renderProtocolMatrix({ replay: [...replayResults.values()], sdk: sdkResults, refused: REFUSED, passthroughOnly: PASSTHROUGH_ONLY, oddities: ODDITIES, describeName, sdkTestName }));
    }
  });

  it('the frozen tables name only cells that exist', () => {
    const keys = new Set(cells.map(cellKey));
    for (const table of [REFUSED, PASSTHROUGH_ONLY, CLIENT_SCHEMA_ERRORS, LEGACY_STREAMS]) {
      expect(Object.keys(table).filter((key) => !keys.has(key))).toEqual([]);
    }
    const cases = new Set(cells.map((cell) => `${cell.client} ${cell.caseName}`));
    expect(Object.keys(CLIENT_HEADERS).filter((key) => !cases.has(key))).toEqual([]);
    expect(cells.length).toBeGreaterThan(1000);
  });

  for (const client of CLIENTS) {
    for (const family of FAMILIES) {
      const upstream = upstreamProtocolOf(client, family);
      for (const stream of [false, true]) {
        const group = cells.filter((cell) => cell.client === client && cell.family === family && cell.stream === stream);
        describe(describeName(client, upstream, stream), () => {
          for (const cell of group) {
            it(cell.label, async () => {
              const key = cellKey(cell);
              const result: ReplayResult = { cell, outcome: 'fail', features: new Set() };
              replayResults.set(`${key} ${stream}`, result);
              const { path, body } = clientRequest(cell, capturedRequest(cell));
              result.features = cellFeatures(cell, body);
              harness.fake.reset();
              harness.fake.respondWith({ kind: 'fixture', case: cell.caseName, followup: cell.turn === 'followup' }, { protocol: upstream });
              const response = await harness.post(path, body, CLIENT_HEADERS[`${client} ${cell.caseName}`]);
              const text = await response.text();

              const refusal = REFUSED[key];
              if (refusal) {
                // A deliberate refusal: the codecs themselves throw it, the gateway answers it in C's shape, nothing goes upstream.
                const error = catchError(() => codecFor(upstream).encodeRequest(decodeClient(cell, body), UPSTREAM_MODELS[family]));
                expect({ kind: error.kind, param: error.param }).toEqual({ kind: refusal[0], param: refusal[1] });
                expect({ status: response.status, body: JSON.parse(text) }).toEqual(codecFor(client).encodeError(error));
                expect(response.status).toBe(400);
                expect(harness.fake.received).toHaveLength(0);
                result.outcome = 'refused';
                return;
              }

              expect(response.status, text.slice(0, 500)).toBe(200);
              expect(harness.fake.received).toHaveLength(1);
              const received = harness.fake.received[0];
              expect({ protocol: received.protocol, stream: received.stream }).toEqual({ protocol: upstream, stream });
              if (client === upstream) {
                expect(received.body).toEqual(passthroughBody(cell, body));
                expect(received.schemaErrors).toEqual(CLIENT_SCHEMA_ERRORS[key]?.[0] ?? []);
              } else {
                expect(received.schemaErrors).toEqual([]);
              }

              const wire = answerFromCapture(cell.caseName, cell.turn === 'followup', { protocol: upstream, stream, body: received.body, query: received.query }, 'req_expected');
              if (PASSTHROUGH_ONLY[key]) {
                // Only the upstream's own bytes can carry this answer.
                if (wire.kind === 'json') expect(JSON.parse(text)).toEqual(wire.body);
                else expect(text).toBe(wire.frames.join(''));
                result.outcome = 'pass';
                return;
              }
              if (stream && LEGACY_STREAMS[key]) {
                expect(text.startsWith((wire as { frames: string[] }).frames.join(''))).toBe(true);
                const events = decodeSseText(client, text);
                expect(events.some((event) => event.type === 'finish')).toBe(false);
                expect(events.at(-1)).toMatchObject({ type: 'error', error: { message: LEGACY_STREAMS[key] } });
                result.outcome = 'pass';
                return;
              }

              const expected = expectedAnswer(cell, received);
              const actual = actualAnswer(cell, text);
              result.features = cellFeatures(cell, body, expected);
              expect(actual.text).toBe(expected.text);
              expect(comparableCalls(actual.toolCalls)).toEqual(comparableCalls(expected.toolCalls));
              for (const call of actual.toolCalls) expect(call.id).not.toBe('');
              expect(actual.reasoning).toBe(CARRIES_REASONING[client] ? expected.reasoning : '');
              expect(actual.finishReason).toBe(expected.finishReason);
              expect(actual.usage).toEqual(expected.usage);
              result.outcome = 'pass';
            });
          }
        });
      }
    }
  }

  describe('official SDKs × features', () => {
    for (const feature of Object.keys(FEATURE_CASES) as Feature[]) {
      for (const client of CLIENTS) {
        for (const family of FAMILIES) {
          const upstream = upstreamProtocolOf(client, family);
          for (const stream of [false, true]) {
            const name = sdkTestName(feature, client, upstream, stream);
            it(name, async () => {
              sdkResults.set(name, false);
              harness.fake.reset();
              const answer: FakeResponse = feature === 'reasoning' ? reasoningAnswer(upstream, stream) : { kind: 'fixture', case: FEATURE_CASES[feature] };
              harness.fake.respondWith(answer, { protocol: upstream });
              const captured = featureRequest(feature, client);
              const got = await callWithSdk(harness, client, family, stream, captured);

              expect(harness.fake.received).toHaveLength(1);
              const received = harness.fake.received[0];
              expect({ protocol: received.protocol, stream: received.stream, schemaErrors: received.schemaErrors }).toEqual({ protocol: upstream, stream, schemaErrors: [] });
              const expected = expectedFeatureAnswer(answer, upstream, stream, received);
              expect(got.text).toBe(expected.text);

              if (feature === 'tools') {
                // The definitions and the forced choice reach the upstream in its own terms …
                expect(wireTools(upstream, received.body)).toEqual(wireTools(client, captured));
                expect(wireTools(upstream, received.body)).toEqual([{ name: 'get_weather', properties: ['location'], required: ['location'] }]);
                expect(wireToolChoice(upstream, received.body)).toBe('required');
                // … and the call comes back whole, its streamed arguments assembled.
                expect(expected.toolCalls.length).toBeGreaterThan(0);
                expect(comparableCalls(got.toolCalls)).toEqual(comparableCalls(expected.toolCalls));
                for (const call of got.toolCalls) expect(call.id).not.toBe('');
                if (stream) expect(got.argumentFragments.every((count) => count > 0)).toBe(true);
              } else if (feature === 'images') {
                const images = wireImages(upstream, received.body);
                expect(images).toHaveLength(1);
                expect(images).toEqual(wireImages(client, captured));
              } else {
                expect(wireAsksForReasoning(upstream, received.body)).toBe(true);
                expect(expected.reasoning).not.toBe('');
                expect(got.reasoning).toBe(expected.reasoning);
              }
              sdkResults.set(name, true);
            });
          }
        }
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { AssistantPart, ChatRequest, GatewayError } from '../ir';
import { encodeOpenAiResponsesRequest } from './encode-openai-responses-request';

const base: ChatRequest = { model: 'logical', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false };

function body(request: Partial<ChatRequest>): any {
  return encodeOpenAiResponsesRequest({ ...base, ...request }, 'gpt-5').body;
}

function assistantTurn(content: AssistantPart[], extra: Partial<ChatRequest> = {}): any[] {
  return body({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'assistant', content }], ...extra }).input.slice(1);
}

describe('encodeOpenAiResponsesRequest: refusals', () => {
  it.each([
    ['stop sequences', { stopSequences: ['END'] }, 'stop'],
    ['seed', { seed: 7 }, 'seed'],
    ['top_k', { topK: 40 }, 'top_k'],
    ['presence penalty', { presencePenalty: 0.5 }, 'presence_penalty'],
    ['frequency penalty', { frequencyPenalty: 0.5 }, 'frequency_penalty'],
    ['several choices', { n: 2 }, 'n'],
    ['a thinking budget', { reasoning: { enabled: true, budgetTokens: 2048 } }, 'reasoning.budget_tokens'],
  ] as const)('%s → unsupported', (_label, request, param) => {
    let error: unknown;
    try {
      body(request as Partial<ChatRequest>);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect({ kind: (error as GatewayError).kind, param: (error as GatewayError).param }).toEqual({ kind: 'unsupported', param });
  });

  it('lets n = 1 and an empty stop list through', () => {
    expect(() => body({ n: 1, stopSequences: [] })).not.toThrow();
  });
});

describe('encodeOpenAiResponsesRequest: translation', () => {
  it('posts to /responses with the upstream model', () => {
    expect(encodeOpenAiResponsesRequest(base, 'gpt-5-mini')).toEqual({ path: '/responses', body: { model: 'gpt-5-mini', input: [{ role: 'user', content: 'Hi' }] } });
  });

  it('sends the first role-less system part as instructions, the others as messages in place', () => {
    const encoded = body({
      system: [{ text: 'Be brief.', cacheControl: { type: 'ephemeral' } }, { text: 'Second block.' }, { text: 'Use tools.', role: 'developer' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'system', content: [{ text: 'Now French.' }] }],
    });
    expect(encoded.instructions).toBe('Be brief.');
    expect(encoded.input).toEqual([
      { role: 'system', content: 'Second block.' },
      { role: 'developer', content: 'Use tools.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Now French.' },
    ]);
  });

  it('maps tools (non-strict unless asked), tool choice, formats, sampling, end user and flags', () => {
    expect(
      body({
        tools: [{ name: 'f', parameters: { type: 'object' } }, { name: 'g', description: 'G', parameters: {}, strict: true }],
        toolChoice: { type: 'tool', name: 'f' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', schema: { type: 'object' } },
        maxOutputTokens: 100,
        temperature: 0.3,
        topP: 0.8,
        user: 'end-user-1',
        promptCacheKey: 'pk',
        metadata: { a: 'b' },
        store: true,
        stream: true,
        streamUsage: true,
      }),
    ).toEqual({
      model: 'gpt-5',
      input: [{ role: 'user', content: 'Hi' }],
      tools: [
        { type: 'function', name: 'f', parameters: { type: 'object' }, strict: false },
        { type: 'function', name: 'g', description: 'G', parameters: {}, strict: true },
      ],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'response', schema: { type: 'object' } } },
      max_output_tokens: 100,
      temperature: 0.3,
      top_p: 0.8,
      safety_identifier: 'end-user-1',
      prompt_cache_key: 'pk',
      metadata: { a: 'b' },
      store: true,
      stream: true,
    });
  });

  it.each([
    [{ effort: 'high' as const }, { effort: 'high' }],
    [{ enabled: false }, { effort: 'none' }],
    [{ enabled: false, effort: 'low' as const, includeThoughts: true }, { effort: 'none' }],
    [{ enabled: true, includeThoughts: true }, { summary: 'auto' }],
    [{ effort: 'max' as const, summary: 'detailed' as const }, { effort: 'max', summary: 'detailed' }],
    [{ enabled: true }, undefined],
  ])('reasoning %j → %j', (reasoning, expected) => {
    expect(body({ reasoning }).reasoning).toEqual(expected);
  });

  it('asks for encrypted reasoning when nothing is stored and the model reasons', () => {
    expect(body({ store: false, reasoning: { effort: 'low' } }).include).toEqual(['reasoning.encrypted_content']);
    expect(body({ store: false, reasoning: { enabled: false } }).include).toBeUndefined();
    expect(body({ store: true, reasoning: { effort: 'low' } }).include).toBeUndefined();
  });

  it('encodes media as data URLs or URLs, with image detail', () => {
    const encoded = body({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBO' } },
            { type: 'image', source: { type: 'url', url: 'https://x/cat.jpg' }, detail: 'low' },
            { type: 'file', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, mediaType: 'application/pdf', filename: 'a.pdf' },
            { type: 'file', source: { type: 'url', url: 'https://x/b.pdf' }, mediaType: 'application/pdf' },
          ],
        },
      ],
    });
    expect(encoded.input[0].content).toEqual([
      { type: 'input_image', image_url: 'data:image/png;base64,iVBO', detail: 'auto' },
      { type: 'input_image', image_url: 'https://x/cat.jpg', detail: 'low' },
      { type: 'input_file', file_data: 'data:application/pdf;base64,JVBE', filename: 'a.pdf' },
      { type: 'input_file', file_url: 'https://x/b.pdf' },
    ]);
  });

  it('sends tool results as function_call_output, marking a failed tool in its text', () => {
    const encoded = body({
      messages: [
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '21C' }] },
            { type: 'tool-result', toolCallId: 'call_2', content: [{ type: 'text', text: 'timeout' }], isError: true },
            { type: 'tool-result', toolCallId: 'call_3', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] },
          ],
        },
      ],
    });
    expect(encoded.input).toEqual([
      { type: 'function_call_output', call_id: 'call_1', output: '21C' },
      { type: 'function_call_output', call_id: 'call_2', output: 'Error: timeout' },
      { type: 'function_call_output', call_id: 'call_3', output: [{ type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }] },
    ]);
  });
});

describe('encodeOpenAiResponsesRequest: assistant history', () => {
  const openAiTurn: AssistantPart[] = [
    { type: 'reasoning', text: 'Plan.', summary: true, provider: 'openai', itemId: 'rs_1' },
    { type: 'reasoning', text: '', provider: 'openai', itemId: 'rs_1', encryptedContent: 'gAAAA-enc' },
    { type: 'text', text: 'Checking.', itemId: 'msg_1', phase: 'commentary' } as AssistantPart,
    { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}', itemId: 'fc_1' },
  ];

  it('replays OpenAI items with their ids, so reasoning stays paired with what followed it', () => {
    expect(assistantTurn(openAiTurn)).toEqual([
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'gAAAA-enc' },
      { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', phase: 'commentary', content: [{ type: 'output_text', text: 'Checking.', annotations: [], logprobs: [] }] },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}', id: 'fc_1' },
    ]);
  });

  it('with store false, drops id-only reasoning and all message / call ids', () => {
    const idOnly: AssistantPart[] = [{ type: 'reasoning', text: '', provider: 'openai', itemId: 'rs_0' }, ...openAiTurn];
    expect(assistantTurn(idOnly, { store: false })).toEqual([
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan.' }], encrypted_content: 'gAAAA-enc' },
      { role: 'assistant', content: 'Checking.', phase: 'commentary' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
    ]);
  });

  it('keeps another family’s reasoning text as assistant text and drops what is only its opaque data', () => {
    expect(
      assistantTurn([
        { type: 'reasoning', text: 'Thinking about it.', provider: 'anthropic', signature: 'sig' },
        { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'opaque' },
        { type: 'reasoning', text: '', provider: 'gemini', signature: 'gsig' },
        { type: 'text', text: 'Done.', itemId: 'msg_gen' } as AssistantPart,
        { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{}', thoughtSignature: 'ts', itemId: 'fc_gen' },
      ]),
    ).toEqual([
      { role: 'assistant', content: 'Thinking about it.' },
      { role: 'assistant', content: 'Done.' },
      { type: 'function_call', call_id: 'toolu_1', name: 'f', arguments: '{}' },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { GatewayError } from '../ir';
import { decodeOpenAiResponsesRequest } from './decode-openai-responses-request';
import { encodeReasoningEnvelope } from './openai-responses-reasoning-envelope';

const base = { model: 'gpt-5', input: 'Hi' };

function refusal(body: unknown): { kind: string; param?: string } {
  try {
    decodeOpenAiResponsesRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return { kind: error.kind, param: error.param };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('decodeOpenAiResponsesRequest: invalid bodies', () => {
  it.each([
    ['a body that is not an object', [], 'body'],
    ['no model', { input: 'Hi' }, 'model'],
    ['a model that is not a string', { model: 5, input: 'Hi' }, 'model'],
    ['no input', { model: 'gpt-5' }, 'input'],
    ['input of the wrong type', { ...base, input: 42 }, 'input'],
    ['an empty input list', { ...base, input: [] }, 'input'],
    ['an input item that is not an object', { ...base, input: ['hi'] }, 'input[0]'],
    ['an item without type or role', { ...base, input: [{ content: 'hi' }] }, 'input[0].role'],
    ['an unknown role', { ...base, input: [{ role: 'robot', content: 'hi' }] }, 'input[0].role'],
    ['a message without content', { ...base, input: [{ role: 'user' }] }, 'input[0].content'],
    ['content of the wrong type', { ...base, input: [{ role: 'user', content: 7 }] }, 'input[0].content'],
    ['an unknown content part', { ...base, input: [{ role: 'user', content: [{ type: 'input_video' }] }] }, 'input[0].content[0].type'],
    ['input_text without text', { ...base, input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 'input[0].content[0].text'],
    ['an image without a URL', { ...base, input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' }] }] }, 'input[0].content[0].image_url'],
    ['a file without data', { ...base, input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf' }] }] }, 'input[0].content[0]'],
    ['assistant content of a user type', { ...base, input: [{ role: 'assistant', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input[0].content[0].type'],
    ['a function_call without call_id', { ...base, input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'input[0].call_id'],
    ['a function_call without arguments', { ...base, input: [{ type: 'function_call', call_id: 'c', name: 'f' }] }, 'input[0].arguments'],
    ['a function_call_output without output', { ...base, input: [{ type: 'function_call_output', call_id: 'c' }] }, 'input[0].output'],
    ['a reasoning item without id', { ...base, input: [{ type: 'reasoning', summary: [] }] }, 'input[0].id'],
    ['tools that are not a list', { ...base, tools: {} }, 'tools'],
    ['a function tool without name', { ...base, tools: [{ type: 'function', parameters: {} }] }, 'tools[0].name'],
    ['a tool without type', { ...base, tools: [{ name: 'f' }] }, 'tools[0].type'],
    ['an unknown tool_choice', { ...base, tool_choice: 'sometimes' }, 'tool_choice'],
    ['an unknown text.format', { ...base, text: { format: { type: 'yaml' } } }, 'text.format.type'],
    ['a json_schema format without schema', { ...base, text: { format: { type: 'json_schema', name: 'x' } } }, 'text.format.schema'],
    ['max_output_tokens 0', { ...base, max_output_tokens: 0 }, 'max_output_tokens'],
    ['fractional max_output_tokens', { ...base, max_output_tokens: 1.5 }, 'max_output_tokens'],
    ['temperature out of range', { ...base, temperature: 3 }, 'temperature'],
    ['top_p as a string', { ...base, top_p: '0.5' }, 'top_p'],
    ['an unknown reasoning effort', { ...base, reasoning: { effort: 'extreme' } }, 'reasoning.effort'],
    ['an unknown summary', { ...base, reasoning: { summary: 'long' } }, 'reasoning.summary'],
    ['metadata with a number', { ...base, metadata: { a: 1 } }, 'metadata.a'],
    ['include with a number', { ...base, include: [1] }, 'include[0]'],
    ['stream as a string', { ...base, stream: 'yes' }, 'stream'],
  ])('%s → invalid_request at its param', (_label, body, param) => {
    expect(refusal(body)).toEqual({ kind: 'invalid_request', param });
  });
});

describe('decodeOpenAiResponsesRequest: valid features the IR cannot carry', () => {
  it.each([
    ['previous_response_id', { ...base, previous_response_id: 'resp_1' }, 'previous_response_id'],
    ['conversation', { ...base, conversation: 'conv_1' }, 'conversation'],
    ['a stored prompt', { ...base, prompt: { id: 'pmpt_1' } }, 'prompt'],
    ['background mode', { ...base, background: true }, 'background'],
    ['max_tool_calls', { ...base, max_tool_calls: 3 }, 'max_tool_calls'],
    ['top_logprobs', { ...base, top_logprobs: 2 }, 'top_logprobs'],
    ['logprobs via include', { ...base, include: ['message.output_text.logprobs'] }, 'include[0]'],
    ['a built-in tool', { ...base, tools: [{ type: 'file_search', vector_store_ids: ['vs_1'] }] }, 'tools[0].type'],
    ['a custom tool', { ...base, tools: [{ type: 'custom', name: 'sql' }] }, 'tools[0].type'],
    ['a deferred function', { ...base, tools: [{ type: 'function', name: 'f', parameters: {}, defer_loading: true }] }, 'tools[0].defer_loading'],
    ['tool_choice allowed_tools', { ...base, tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [] } }, 'tool_choice'],
    ['tool_choice of a built-in tool', { ...base, tool_choice: { type: 'web_search_preview' } }, 'tool_choice.type'],
    ['text.verbosity low', { ...base, text: { verbosity: 'low' } }, 'text.verbosity'],
    ['reasoning.mode pro', { ...base, reasoning: { mode: 'pro' } }, 'reasoning.mode'],
    ['reasoning.context all_turns', { ...base, reasoning: { context: 'all_turns' } }, 'reasoning.context'],
    ['different user and safety_identifier', { ...base, user: 'a', safety_identifier: 'b' }, 'user'],
    ['an uploaded image', { ...base, input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1', detail: 'auto' }] }] }, 'input[0].content[0].file_id'],
    ['an image at original detail', { ...base, input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x/y.png', detail: 'original' }] }] }, 'input[0].content[0].detail'],
    ['an uploaded file', { ...base, input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file_1' }] }] }, 'input[0].content[0].file_id'],
    ['an image in a developer message', { ...base, input: [{ role: 'developer', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }] }, 'input[0].content[0]'],
    ['an item_reference', { ...base, input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0]'],
    ['a web_search_call item', { ...base, input: [{ type: 'web_search_call', id: 'ws_1', status: 'completed' }] }, 'input[0].type'],
    ['a namespaced function call', { ...base, input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: '{}', namespace: 'ns' }] }, 'input[0].namespace'],
  ])('%s → unsupported at its param', (_label, body, param) => {
    expect(refusal(body)).toEqual({ kind: 'unsupported', param });
  });
});

describe('decodeOpenAiResponsesRequest: translation', () => {
  it('reads a string input as one user message and takes model / stream from the route when given', () => {
    expect(decodeOpenAiResponsesRequest({ model: 'a', input: 'Hi', stream: true }, { model: 'b', stream: false })).toEqual({
      model: 'b',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
    });
  });

  it('puts instructions first, then leading system / developer messages; later ones stay in place', () => {
    const request = decodeOpenAiResponsesRequest({
      ...base,
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'Use tools.' },
        { role: 'system', content: [{ type: 'input_text', text: 'No emojis.' }] },
        { role: 'user', content: 'Hi' },
        { type: 'message', role: 'developer', content: 'Now in French.' },
      ],
    });
    expect(request.system).toEqual([{ text: 'Be brief.' }, { text: 'Use tools.', role: 'developer' }, { text: 'No emojis.', role: 'system' }]);
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'system', content: [{ text: 'Now in French.', role: 'developer' }] },
    ]);
  });

  it('joins reasoning, message and function_call items into one assistant turn, and outputs into one tool message', () => {
    const request = decodeOpenAiResponsesRequest({
      ...base,
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Two cities.' }], encrypted_content: 'gAAAA1' },
        { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', phase: 'commentary', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_2', name: 'weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '21C' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: '25C' }] },
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Two cities.', summary: true, provider: 'openai', itemId: 'rs_1', encryptedContent: 'gAAAA1' },
          { type: 'text', text: 'Checking.', itemId: 'msg_1', phase: 'commentary' },
          { type: 'tool-call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}', itemId: 'fc_1' },
          { type: 'tool-call', id: 'call_2', name: 'weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '21C' }] },
          { type: 'tool-result', toolCallId: 'call_2', content: [{ type: 'text', text: '25C' }] },
        ],
      },
    ]);
  });

  it('splits a reasoning item into one part per summary and raw text entry, opaque value on the last', () => {
    const request = decodeOpenAiResponsesRequest({
      ...base,
      input: [{ type: 'reasoning', id: 'rs_2', summary: [{ type: 'summary_text', text: 'A' }, { type: 'summary_text', text: 'B' }], content: [{ type: 'reasoning_text', text: 'raw' }], encrypted_content: 'gAAAA2' }],
    });
    expect(request.messages[0].content).toEqual([
      { type: 'reasoning', text: 'A', summary: true, provider: 'openai', itemId: 'rs_2' },
      { type: 'reasoning', text: 'B', summary: true, provider: 'openai', itemId: 'rs_2' },
      { type: 'reasoning', text: 'raw', summary: false, provider: 'openai', itemId: 'rs_2', encryptedContent: 'gAAAA2' },
    ]);
  });

  it('gives another family its opaque values back from a gateway envelope, without the gateway item id', () => {
    const request = decodeOpenAiResponsesRequest({
      ...base,
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', id: 'rs_gw1', summary: [{ type: 'summary_text', text: 'Thinking.' }], encrypted_content: encodeReasoningEnvelope({ provider: 'anthropic', signature: 'sig-A' }) },
        { type: 'reasoning', id: 'rs_gw2', summary: [], encrypted_content: encodeReasoningEnvelope({ provider: 'anthropic', redactedData: 'redacted' }) },
        { type: 'reasoning', id: 'rs_gw3', summary: [], encrypted_content: encodeReasoningEnvelope({ provider: 'gemini', toolCallSignature: 'sig-G' }) },
        { type: 'function_call', id: 'fc_gw', call_id: 'call_9', name: 'f', arguments: '{}' },
      ],
    });
    expect(request.messages[1].content).toEqual([
      { type: 'reasoning', text: 'Thinking.', summary: true, provider: 'anthropic', signature: 'sig-A' },
      { type: 'reasoning', text: '', provider: 'anthropic', redactedData: 'redacted' },
      { type: 'tool-call', id: 'call_9', name: 'f', arguments: '{}', itemId: 'fc_gw', thoughtSignature: 'sig-G' },
    ]);
  });

  it('reads media: data URLs, URLs, file data and file URLs, cache breakpoints', () => {
    const request = decodeOpenAiResponsesRequest({
      ...base,
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look', prompt_cache_breakpoint: { mode: 'explicit' } },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
            { type: 'input_image', image_url: 'https://example.com/cat.jpg' },
            { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
            { type: 'input_file', file_data: 'JVBERi0=', filename: 'b.pdf' },
            { type: 'input_file', file_url: 'https://example.com/letter.pdf?x=1' },
          ],
        },
      ],
    });
    expect(request.messages[0].content).toEqual([
      { type: 'text', text: 'Look', cacheControl: { type: 'ephemeral' } },
      { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'high' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'file', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, mediaType: 'application/pdf', filename: 'a.pdf' },
      { type: 'file', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, mediaType: 'application/pdf', filename: 'b.pdf' },
      { type: 'file', source: { type: 'url', url: 'https://example.com/letter.pdf?x=1', mediaType: 'application/pdf' }, mediaType: 'application/pdf' },
    ]);
  });

  it('reads tools, tool choice, formats, sampling, reasoning and the end-user fields', () => {
    const request = decodeOpenAiResponsesRequest({
      ...base,
      tools: [{ type: 'function', name: 'f', description: 'F', parameters: { type: 'object' }, strict: true }, { type: 'function', name: 'g', parameters: null }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', description: 'D', schema: { type: 'object' }, strict: true }, verbosity: 'medium' },
      max_output_tokens: 500,
      temperature: 0.2,
      top_p: 0.9,
      reasoning: { effort: 'high', generate_summary: 'concise' },
      user: 'u-1',
      prompt_cache_key: 'k',
      metadata: { team: 'a' },
      store: false,
      include: ['reasoning.encrypted_content'],
      service_tier: 'flex',
      truncation: 'auto',
    });
    expect(request).toMatchObject({
      tools: [
        { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true },
        { name: 'g', parameters: { type: 'object', properties: {} } },
      ],
      toolChoice: { type: 'tool', name: 'f' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', description: 'D', schema: { type: 'object' }, strict: true },
      maxOutputTokens: 500,
      temperature: 0.2,
      topP: 0.9,
      reasoning: { effort: 'high', summary: 'concise', includeThoughts: true },
      user: 'u-1',
      promptCacheKey: 'k',
      metadata: { team: 'a' },
      store: false,
    });
  });

  it('reads effort none as reasoning switched off', () => {
    expect(decodeOpenAiResponsesRequest({ ...base, reasoning: { effort: 'none' } }).reasoning).toEqual({ effort: 'none', enabled: false });
  });
});

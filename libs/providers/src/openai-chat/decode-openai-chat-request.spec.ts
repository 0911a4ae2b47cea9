import { describe, expect, it } from 'vitest';
import { ChatRequest, GatewayError } from '../ir';
import { decodeOpenAiChatRequest } from './decode-openai-chat-request';

const user = (content: unknown = 'Hi') => ({ role: 'user', content });
const body = (extra: Record<string, unknown> = {}, messages: unknown[] = [user()]) => ({ model: 'gpt-5-nano', messages, ...extra });

function decodeError(input: unknown): GatewayError {
  try {
    decodeOpenAiChatRequest(input);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('decodeOpenAiChatRequest', () => {
  it.each<[string, unknown, Partial<ChatRequest>]>([
    [
      'leading system and developer messages become the system prompt, with their role',
      body({}, [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        user(),
      ]),
      {
        system: [
          { text: 'Be brief.', role: 'system' },
          { text: 'Answer in French.', role: 'developer' },
        ],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
    ],
    [
      'a system or developer message after the conversation started stays in place',
      body({}, [user(), { role: 'assistant', content: 'Hello' }, { role: 'developer', content: 'Now be formal.' }, user('Go')]),
      {
        system: [],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
          { role: 'system', content: [{ text: 'Now be formal.', role: 'developer' }] },
          { role: 'user', content: [{ type: 'text', text: 'Go' }] },
        ],
      },
    ],
    [
      'user parts: text with cache hints, images by URL and data URL, audio, files',
      body({}, [
        user([
          { type: 'text', text: 'A', cache_control: { type: 'ephemeral', ttl: '1h' } },
          { type: 'text', text: 'B', prompt_cache_breakpoint: { mode: 'explicit' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } },
          { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
          { type: 'file', file: { filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
          { type: 'file', file: { filename: 'clip.mp4', file_data: 'gs://bucket/clip.mp4' } },
        ]),
      ]),
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'A', cacheControl: { type: 'ephemeral', ttl: '1h' } },
              { type: 'text', text: 'B', cacheControl: { type: 'ephemeral' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, detail: 'low' },
              { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'file', mediaType: 'audio/wav', source: { type: 'base64', mediaType: 'audio/wav', data: 'UklGRg==' } },
              { type: 'file', mediaType: 'audio/mpeg', source: { type: 'base64', mediaType: 'audio/mpeg', data: 'SUQz' } },
              {
                type: 'file',
                mediaType: 'application/pdf',
                filename: 'a.pdf',
                source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' },
              },
              {
                type: 'file',
                mediaType: 'video/mp4',
                filename: 'clip.mp4',
                source: { type: 'url', url: 'gs://bucket/clip.mp4', mediaType: 'video/mp4' },
              },
            ],
          },
        ],
      },
    ],
    [
      'assistant: reasoning_content, text parts, refusal as text, tool calls; tool results named after their call',
      body({}, [
        user(),
        {
          role: 'assistant',
          reasoning_content: 'Think.',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'refusal', refusal: 'Not that.' },
          ],
          refusal: 'Nor this.',
          annotations: [],
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'time', arguments: '{}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18C' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '10:00' }, { type: 'text', text: 'CET' }] },
        user('Thanks'),
      ]),
      {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'Think.' },
              { type: 'text', text: 'Checking.' },
              { type: 'text', text: 'Not that.' },
              { type: 'text', text: 'Nor this.' },
              { type: 'tool-call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
              { type: 'tool-call', id: 'call_2', name: 'time', arguments: '{}' },
            ],
          },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', content: [{ type: 'text', text: '18C' }] },
              {
                type: 'tool-result',
                toolCallId: 'call_2',
                toolName: 'time',
                content: [
                  { type: 'text', text: '10:00' },
                  { type: 'text', text: 'CET' },
                ],
              },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
      },
    ],
    [
      'an assistant turn with null content and tool calls only',
      body({}, [user(), { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '' } }] }]),
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }, { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '' }] }] },
    ],
    [
      'tools, tool choice, parallel calls and json_schema format',
      body({
        tools: [
          { type: 'function', function: { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true }, cache_control: { type: 'ephemeral' } },
          { type: 'function', function: { name: 'g' } },
        ],
        tool_choice: { type: 'function', function: { name: 'f' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'out', description: 'D', schema: { type: 'object' }, strict: true } },
      }),
      {
        tools: [
          { name: 'f', description: 'F', parameters: { type: 'object' }, strict: true, cacheControl: { type: 'ephemeral' } },
          { name: 'g', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: { type: 'tool', name: 'f' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'out', description: 'D', schema: { type: 'object' }, strict: true },
      },
    ],
    ['tool_choice required', body({ tool_choice: 'required' }), { toolChoice: { type: 'required' } }],
    ['response_format json_object', body({ response_format: { type: 'json_object' } }), { responseFormat: { type: 'json_object' } }],
    [
      'sampling, limits and identifiers',
      body({
        max_tokens: 100,
        max_completion_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        stop: 'END',
        seed: 7,
        presence_penalty: 0.1,
        frequency_penalty: -0.1,
        reasoning_effort: 'high',
        safety_identifier: 'u-1',
        user: 'u-1',
        prompt_cache_key: 'k',
        metadata: { a: 'b' },
        store: false,
        n: 1,
        stream: true,
        stream_options: { include_usage: true, include_obfuscation: false },
      }),
      {
        maxOutputTokens: 100,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stopSequences: ['END'],
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: -0.1,
        reasoning: { effort: 'high' },
        user: 'u-1',
        promptCacheKey: 'k',
        metadata: { a: 'b' },
        store: false,
        n: 1,
        stream: true,
        streamUsage: true,
      },
    ],
    ['max_tokens alone', body({ max_tokens: 64 }), { maxOutputTokens: 64 }],
    ['a stream without stream_options did not ask for usage', body({ stream: true }), { stream: true, streamUsage: false }],
    ['reasoning_effort none turns reasoning off', body({ reasoning_effort: 'none' }), { reasoning: { enabled: false, effort: 'none' } }],
    [
      'neutral fields are ignored',
      body(
        {
          logprobs: false,
          logit_bias: {},
          modalities: ['text'],
          service_tier: 'auto',
          prompt_cache_options: { ttl: '30m' },
          prompt_cache_retention: '24h',
          stop: null,
          temperature: null,
        },
        [{ role: 'user', content: 'Hi', name: 'alice' }],
      ),
      { stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    ],
  ])('%s', (_name, input, expected) => {
    const request = decodeOpenAiChatRequest(input);
    expect(request).toMatchObject(expected);
  });

  it('vLLM top_k -1 means no top_k', () => {
    expect(decodeOpenAiChatRequest(body({ top_k: -1 }))).not.toHaveProperty('topK');
  });

  it('keeps only what was sent (no undefined keys)', () => {
    expect(decodeOpenAiChatRequest(body())).toEqual({
      model: 'gpt-5-nano',
      system: [],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stream: false,
    });
  });

  it.each<[string, unknown, string]>([
    ['a body that is not an object', [], 'body'],
    ['no model', { messages: [user()] }, 'model'],
    ['no messages', { model: 'm' }, 'messages'],
    ['empty messages', body({}, []), 'messages'],
    ['messages not an array', { model: 'm', messages: 'Hi' }, 'messages'],
    ['a message that is not an object', body({}, ['Hi']), 'messages[0]'],
    ['an unknown role', body({}, [{ role: 'bot', content: 'Hi' }]), 'messages[0].role'],
    ['user content of the wrong type', body({}, [user(42)]), 'messages[0].content'],
    ['an unknown part type', body({}, [user([{ type: 'video', video: {} }])]), 'messages[0].content[0].type'],
    ['a text part without text', body({}, [user([{ type: 'text' }])]), 'messages[0].content[0].text'],
    ['an image without url', body({}, [user([{ type: 'image_url', image_url: {} }])]), 'messages[0].content[0].image_url.url'],
    ['a bad image detail', body({}, [user([{ type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'ultra' } }])]), 'messages[0].content[0].image_url.detail'],
    ['a data URL that is not base64', body({}, [user([{ type: 'image_url', image_url: { url: 'data:image/png,abc' } }])]), 'messages[0].content[0].image_url.url'],
    ['audio in an unknown format', body({}, [user([{ type: 'input_audio', input_audio: { data: 'x', format: 'flac' } }])]), 'messages[0].content[0].input_audio.format'],
    ['file_data without data: prefix', body({}, [user([{ type: 'file', file: { filename: 'a.pdf', file_data: 'JVBERi0=' } }])]), 'messages[0].content[0].file.file_data'],
    ['a file with neither data nor id', body({}, [user([{ type: 'file', file: { filename: 'a.pdf' } }])]), 'messages[0].content[0].file.file_data'],
    ['an image in a system message', body({}, [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://x' } }] }, user()]), 'messages[0].content[0].type'],
    ['a tool message without tool_call_id', body({}, [user(), { role: 'tool', content: 'x' }]), 'messages[1].tool_call_id'],
    ['a tool call without id', body({}, [user(), { role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }]), 'messages[1].tool_calls[0].id'],
    ['tool call arguments as an object', body({}, [user(), { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }]), 'messages[1].tool_calls[0].function.arguments'],
    ['assistant content of the wrong type', body({}, [user(), { role: 'assistant', content: 5 }]), 'messages[1].content'],
    ['temperature as a string', body({ temperature: '0.2' }), 'temperature'],
    ['max_tokens 0', body({ max_tokens: 0 }), 'max_tokens'],
    ['a fractional max_completion_tokens', body({ max_completion_tokens: 1.5 }), 'max_completion_tokens'],
    ['max_tokens and max_completion_tokens that disagree', body({ max_tokens: 10, max_completion_tokens: 20 }), 'max_tokens'],
    ['stop with a number', body({ stop: [1] }), 'stop'],
    ['an unknown reasoning_effort', body({ reasoning_effort: 'extreme' }), 'reasoning_effort'],
    ['an unknown tool_choice', body({ tool_choice: 'any' }), 'tool_choice'],
    ['an unknown response_format', body({ response_format: { type: 'xml' } }), 'response_format.type'],
    ['a json_schema without name', body({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 'response_format.json_schema.name'],
    ['an unknown tool type', body({ tools: [{ type: 'web_search' }] }), 'tools[0].type'],
    ['a function tool without name', body({ tools: [{ type: 'function', function: {} }] }), 'tools[0].function.name'],
    ['a metadata value that is not a string', body({ metadata: { k: 1 } }), 'metadata.k'],
    ['a cache_control of another type', body({}, [user([{ type: 'text', text: 'x', cache_control: { type: 'persistent' } }])]), 'messages[0].content[0].cache_control.type'],
    ['a cache_control ttl that does not exist', body({}, [user([{ type: 'text', text: 'x', cache_control: { type: 'ephemeral', ttl: '2h' } }])]), 'messages[0].content[0].cache_control.ttl'],
    ['stream as a string', body({ stream: 'yes' }), 'stream'],
    ['n = 0', body({ n: 0 }), 'n'],
    ['top_k below -1', body({ top_k: -2 }), 'top_k'],
  ])('refuses %s as invalid_request', (_name, input, param) => {
    const error = decodeError(input);
    expect(error.kind).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });

  it.each<[string, unknown, string]>([
    ['legacy functions', body({ functions: [{ name: 'f', parameters: {} }] }), 'functions'],
    ['legacy function_call', body({ function_call: 'auto' }), 'function_call'],
    ['a legacy function message', body({}, [user(), { role: 'function', name: 'f', content: 'x' }]), 'messages[1].role'],
    ['a legacy assistant function_call', body({}, [user(), { role: 'assistant', function_call: { name: 'f', arguments: '{}' } }]), 'messages[1].function_call'],
    ['logprobs', body({ logprobs: true }), 'logprobs'],
    ['top_logprobs', body({ top_logprobs: 2 }), 'top_logprobs'],
    ['a logit_bias', body({ logit_bias: { '15339': -100 } }), 'logit_bias'],
    ['prediction', body({ prediction: { type: 'content', content: 'x' } }), 'prediction'],
    ['audio output', body({ audio: { voice: 'alloy', format: 'wav' } }), 'audio'],
    ['audio modality', body({ modalities: ['text', 'audio'] }), 'modalities'],
    ['web_search_options', body({ web_search_options: {} }), 'web_search_options'],
    ['verbosity', body({ verbosity: 'low' }), 'verbosity'],
    ['moderation', body({ moderation: { model: 'omni-moderation-latest' } }), 'moderation'],
    ['a flex service tier', body({ service_tier: 'flex' }), 'service_tier'],
    ['several choices', body({ n: 2 }), 'n'],
    ['a custom tool', body({ tools: [{ type: 'custom', custom: { name: 'c' } }] }), 'tools[0].type'],
    ['an allowed_tools tool choice', body({ tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }), 'tool_choice'],
    ['a custom tool choice', body({ tool_choice: { type: 'custom', custom: { name: 'c' } } }), 'tool_choice'],
    ['an uploaded file reference', body({}, [user([{ type: 'file', file: { file_id: 'file-abc' } }])]), 'messages[0].content[0].file.file_id'],
    ['an assistant audio reference', body({}, [user(), { role: 'assistant', audio: { id: 'audio_1' } }]), 'messages[1].audio'],
    ['a custom tool call', body({}, [user(), { role: 'assistant', tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'c', input: 'x' } }] }]), 'messages[1].tool_calls[0].type'],
    ['user and a different safety_identifier', body({ user: 'a', safety_identifier: 'b' }), 'safety_identifier'],
  ])('refuses %s as unsupported', (_name, input, param) => {
    const error = decodeError(input);
    expect(error.kind).toBe('unsupported');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
  });
});

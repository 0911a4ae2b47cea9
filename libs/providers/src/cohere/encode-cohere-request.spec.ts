import { describe, expect, it } from 'vitest';
import { ChatRequest, GatewayError } from '../ir';
import { encodeCohereRequest } from './encode-cohere-request';

function request(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'logical', system: [], messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }], stream: false, ...overrides };
}

function encode(overrides: Partial<ChatRequest> = {}): any {
  const encoded = encodeCohereRequest(request(overrides), 'command-a-03-2025');
  expect(encoded.path).toBe('/v2/chat');
  return encoded.body;
}

function refusal(overrides: Partial<ChatRequest>): GatewayError {
  try {
    encodeCohereRequest(request(overrides), 'command-a-03-2025');
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

const WEATHER = { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };

describe('encodeCohereRequest', () => {
  it('a text question: model, one user message as a string, stream false', () => {
    expect(encode()).toEqual({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }], stream: false });
    expect(encode({ stream: true }).stream).toBe(true);
  });

  it('system and developer parts become one leading system message; a later one stays in place', () => {
    const body = encode({
      system: [{ text: 'Be brief.' }, { text: 'Answer in French.', role: 'developer' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'system', content: [{ text: 'Now in German.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Answer in French.' }] },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Now in German.' },
      { role: 'user', content: 'Again' },
    ]);
  });

  it('images (URL, base64, image files) become image_url content items beside the text', () => {
    const body = encode({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
            { type: 'image', source: { type: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'file', mediaType: 'image/jpeg', source: { type: 'base64', mediaType: 'image/jpeg', data: '/9j/4AAQ' } },
          ],
        },
      ],
    });
    expect(body.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Compare' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      ],
    });
  });

  it('refuses files other than images, naming the part', () => {
    const error = refusal({
      messages: [{ role: 'user', content: [{ type: 'file', mediaType: 'application/pdf', source: { type: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } }] }],
    });
    expect(error.kind).toBe('unsupported');
    expect(error.param).toBe('messages[0].content[0]');
  });

  it('tools as functions; tool choices NONE / REQUIRED; strict_tools only when every tool is strict', () => {
    expect(encode({ tools: [WEATHER] })).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER.parameters } }],
    });
    expect(encode({ tools: [WEATHER] })).not.toHaveProperty('tool_choice');
    expect(encode({ tools: [WEATHER], toolChoice: { type: 'auto' } })).not.toHaveProperty('tool_choice');
    expect(encode({ tools: [WEATHER], toolChoice: { type: 'none' } }).tool_choice).toBe('NONE');
    expect(encode({ tools: [WEATHER], toolChoice: { type: 'required' } }).tool_choice).toBe('REQUIRED');
    expect(encode({ tools: [{ ...WEATHER, strict: true }] }).strict_tools).toBe(true);
    expect(encode({ tools: [{ ...WEATHER, strict: true }, { name: 'noop', parameters: { type: 'object' } }] })).not.toHaveProperty('strict_tools');
    // No tools: no tool fields at all (Cohere refuses tool_choice without tools).
    expect(encode({ toolChoice: { type: 'none' } })).not.toHaveProperty('tool_choice');
  });

  it('a named tool choice offers that tool alone with REQUIRED; an unknown name is a 400', () => {
    const body = encode({ tools: [WEATHER, { name: 'get_time', parameters: { type: 'object' } }], toolChoice: { type: 'tool', name: 'get_time' } });
    expect(body.tools.map((tool: any) => tool.function.name)).toEqual(['get_time']);
    expect(body.tool_choice).toBe('REQUIRED');
    const error = refusal({ tools: [WEATHER], toolChoice: { type: 'tool', name: 'missing' } });
    expect(error.kind).toBe('invalid_request');
    expect(error.param).toBe('tool_choice');
  });

  it('a tool round trip: the assistant text beside its calls is the tool_plan; each result is a tool message with its tool_call_id', () => {
    const body = encode({
      tools: [WEATHER],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'I will look both up.' },
            { type: 'tool-call', id: 'get_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool-call', id: 'get_weather_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: 'tool',
          content: [
            { type: 'tool-result', toolCallId: 'get_weather_1', content: [{ type: 'text', text: 'Sunny, 24°C' }] },
            { type: 'tool-result', toolCallId: 'get_weather_2', content: [{ type: 'text', text: 'Rain' }, { type: 'text', text: '18°C' }], isError: false },
          ],
        },
      ],
    });
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        tool_plan: 'I will look both up.',
        tool_calls: [
          { id: 'get_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'get_weather_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'get_weather_1', content: 'Sunny, 24°C' },
      { role: 'tool', tool_call_id: 'get_weather_2', content: [{ type: 'text', text: 'Rain' }, { type: 'text', text: '18°C' }] },
    ]);
  });

  it('refuses images in tool results', () => {
    const error = refusal({
      messages: [
        { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'shot', arguments: '{}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } }] }] },
      ],
    });
    expect(error.kind).toBe('unsupported');
    expect(error.param).toBe('messages[1].content[0].content[0]');
  });

  it("Cohere's own thinking goes back as thinking content; other families' signed reasoning is dropped", () => {
    const body = encode({
      messages: [
        { role: 'user', content: [{ type: 'text', text: '2+2?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'Simple sum.' },
            { type: 'reasoning', text: 'Claude thought', provider: 'anthropic', signature: 'sig' },
            { type: 'text', text: '4' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'Plain.' }] },
      ],
    });
    expect(body.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'Simple sum.' }, { type: 'text', text: '4' }] },
      { role: 'assistant', content: 'Plain.' },
    ]);
  });

  it('sampling parameters under their Cohere names; json_schema as json_object with json_schema', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    expect(
      encode({
        maxOutputTokens: 300,
        temperature: 0.2,
        topP: 0.9,
        topK: 40,
        stopSequences: ['END'],
        seed: 7,
        frequencyPenalty: 0.1,
        presencePenalty: 0.3,
        responseFormat: { type: 'json_schema', name: 'answer', schema, strict: true },
      }),
    ).toMatchObject({
      max_tokens: 300,
      temperature: 0.2,
      p: 0.9,
      k: 40,
      stop_sequences: ['END'],
      seed: 7,
      frequency_penalty: 0.1,
      presence_penalty: 0.3,
      response_format: { type: 'json_object', json_schema: schema },
    });
    expect(encode({ responseFormat: { type: 'json_object' } }).response_format).toEqual({ type: 'json_object' });
    expect(encode({ responseFormat: { type: 'text' } })).not.toHaveProperty('response_format');
  });

  it('reasoning settings → thinking', () => {
    expect(encode({ reasoning: { enabled: false } }).thinking).toEqual({ type: 'disabled' });
    expect(encode({ reasoning: { effort: 'none' } }).thinking).toEqual({ type: 'disabled' });
    expect(encode({ reasoning: { budgetTokens: 0 } }).thinking).toEqual({ type: 'disabled' });
    expect(encode({ reasoning: { enabled: true, budgetTokens: 2048 } }).thinking).toEqual({ type: 'enabled', token_budget: 2048 });
    expect(encode({ reasoning: { effort: 'low' } }).thinking).toEqual({ type: 'enabled', token_budget: 1024 });
    expect(encode({ reasoning: { effort: 'high' } }).thinking).toEqual({ type: 'enabled' });
    expect(encode({ reasoning: { enabled: true } }).thinking).toEqual({ type: 'enabled' });
    expect(encode({ reasoning: { includeThoughts: true } })).not.toHaveProperty('thinking');
  });

  it('refuses several choices', () => {
    expect(refusal({ n: 2 }).param).toBe('n');
  });
});

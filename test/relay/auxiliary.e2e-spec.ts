import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_KEY, LIMITED_KEY, MODELS, RelayHarness, UPSTREAM_MODELS, startRelayHarness } from '../support/relay-harness';

describe('models, token counting, embeddings and legacy completions', () => {
  let harness: RelayHarness;
  beforeAll(async () => {
    harness = await startRelayHarness();
  });
  afterAll(() => harness?.close());

  it('lists only what the token may use, in the OpenAI SDK shape', async () => {
    const all = [];
    for await (const model of harness.openai.models.list()) all.push(model.id);
    expect(all).toEqual([MODELS.anthropic, MODELS.gemini, MODELS.openai].sort());
    const limited = await fetch(`${harness.master.url}/v1/models`, { headers: { authorization: `Bearer ${LIMITED_KEY}` } });
    const listed = (await limited.json()) as { data: Array<{ id: string }> };
    expect(listed.data.map((model) => model.id)).toEqual([MODELS.openai]);
    const one = await harness.openai.models.retrieve(MODELS.gemini);
    expect(one).toMatchObject({ id: MODELS.gemini, object: 'model' });
    await expect(harness.openai.models.retrieve('no-such-model')).rejects.toMatchObject({ status: 404 });
  });

  it('answers the Anthropic and Gemini list shapes to their SDKs', async () => {
    const anthropicModels = [];
    for await (const model of harness.anthropic.models.list()) anthropicModels.push(model.id);
    expect(anthropicModels.sort()).toEqual(Object.values(MODELS).sort());
    const pager = await harness.genai.models.list();
    const geminiModels = [];
    for await (const model of pager) geminiModels.push(model.name);
    expect(geminiModels.sort()).toEqual(Object.values(MODELS).map((model) => `models/${model}`).sort());
  });

  it('counts Anthropic tokens upstream when the model is served by Anthropic, and estimates otherwise', async () => {
    const exact = await harness.anthropic.messages.countTokens({ model: MODELS.anthropic, messages: [{ role: 'user', content: 'Hello there, how are you?' }] });
    const forwarded = harness.fake.received.at(-1)!;
    expect(forwarded).toMatchObject({ protocol: 'anthropic', endpoint: 'count-tokens', model: UPSTREAM_MODELS.anthropic });
    expect(forwarded.schemaErrors).toEqual([]);
    expect(exact.input_tokens).toBeGreaterThan(0);
    const before = harness.fake.received.length;
    const estimated = await harness.anthropic.messages.countTokens({ model: MODELS.openai, messages: [{ role: 'user', content: 'Hello there, how are you?' }] });
    expect(harness.fake.received.length).toBe(before);
    expect(estimated.input_tokens).toBe(7 + 3);
  });

  it('counts Gemini tokens via :countTokens', async () => {
    const counted = await harness.genai.models.countTokens({ model: MODELS.gemini, contents: 'Hello there, how are you?' });
    expect(counted.totalTokens).toBeGreaterThan(0);
    expect(harness.fake.received.at(-1)).toMatchObject({ protocol: 'gemini', endpoint: 'count-tokens', model: UPSTREAM_MODELS.gemini });
  });

  it('forwards embeddings to an OpenAI channel and refuses them for other families', async () => {
    const embedding = await harness.openai.embeddings.create({ model: MODELS.openai, input: ['one', 'two'] });
    expect(embedding.data).toHaveLength(2);
    expect(embedding.data[0].embedding).toHaveLength(3);
    const received = harness.fake.received.at(-1)!;
    expect(received).toMatchObject({ endpoint: 'embeddings', model: UPSTREAM_MODELS.openai });
    expect(received.schemaErrors).toEqual([]);
    expect(received.headers.authorization).toBe(`Bearer ${harness.fake.keys.openai}`);
    expect(JSON.stringify(received.headers)).not.toContain(GATEWAY_KEY);
    await expect(harness.openai.embeddings.create({ model: MODELS.anthropic, input: 'x' })).rejects.toMatchObject({
      status: 400,
      error: { type: 'invalid_request_error' },
    });
  });

  it('forwards legacy completions, JSON and streamed', async () => {
    const completion = await harness.openai.completions.create({ model: MODELS.openai, prompt: 'The capital of France is' });
    expect(completion.choices[0].text).toBe(' Paris is the capital of France.');
    const stream = await harness.openai.completions.create({ model: MODELS.openai, prompt: 'The capital of France is', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe(' Paris is the capital of France.');
    expect(harness.fake.received.at(-1)!.body.stream_options).toEqual({ include_usage: true });
  });
});

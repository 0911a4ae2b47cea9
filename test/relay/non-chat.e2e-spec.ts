/**
 * The non-chat endpoints end to end: OpenAI's official SDK against the gateway
 * for images (generate, edit with uploads), speech, transcriptions and
 * translations, and moderations; rerank by plain fetch against Cohere-, Jina-
 * and Voyage-shaped channels. Each request leaves exactly one usage record
 * with its units and the cost its model's prices say; bad input gets the
 * right 4xx in OpenAI's error shape; uploads are spooled only under the OS
 * temp dir and gone when the request ends.
 */
import { AppConfig } from '@aigw/config';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import OpenAI, { APIError, toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_IMAGE_TOKENS, FAKE_TRANSCRIBE_TOKENS, MediaFake, sha256, speechBytes, startMediaFake, wavFile } from '../fake-provider/openai-media';
import { SettlementWatcher } from '../support/settlement-watcher';
import { TestMaster, startTestMaster } from '../support/test-master';

const KEY = 'sk-aigw-non-chat-tests-0123456789abcdef';
/** The upload limit of this gateway (relay_upload_limit_mb). */
const UPLOAD_LIMIT_MB = 1;

/** Logical model → [channel, upstream model, price (USD)]. */
const MODELS: Record<string, [string, string, Record<string, string>]> = {
  'dall-e-3': ['media-openai', 'dall-e-3', { image: '0.04' }],
  // Token-priced: the reported tokens are the bill, the per-image price is not charged on top.
  'gpt-image-1': ['media-openai', 'gpt-image-1', { input: '5', output: '40', image: '0.04' }],
  'tts-1': ['media-openai', 'tts-1', { character: '15' }],
  'whisper-1': ['media-openai', 'whisper-1', { audio_second: '0.0001' }],
  'gpt-4o-transcribe': ['media-openai', 'gpt-4o-transcribe', { input: '2.5', output: '10', audio_second: '0.0001' }],
  'omni-moderation-latest': ['media-openai', 'omni-moderation-latest', {}],
  'priced-moderation': ['media-openai', 'omni-moderation-2024-09-26', { input: '1' }],
  'rerank-cohere': ['media-cohere', 'rerank-v3.5', { search_unit: '0.002' }],
  'rerank-jina': ['media-jina', 'jina-reranker-v2-base-multilingual', { search_unit: '0.002' }],
  'rerank-voyage': ['media-voyage', 'rerank-2', { search_unit: '0.002' }],
  // A chat-only route: no media channel serves it.
  'chat-only': ['media-cohere', 'command-r', { input: '1' }],
};

interface UsageRow {
  request_id: string;
  endpoint: string;
  model: string;
  upstream_model: string;
  status: number;
  stream: boolean;
  prompt_tokens: number;
  completion_tokens: number;
  images: number;
  audio_ms: number;
  characters: number;
  search_units: number;
  estimated: boolean;
  cost_micros: number;
}

describe('images, audio, moderations and rerank: routed, metered and billed like chat', () => {
  let fake: MediaFake;
  let master: TestMaster;
  let settlements: SettlementWatcher;
  let openai: OpenAI;
  let uploadsDir: string;
  const previousTmpdir = process.env.TMPDIR;

  /** The usage records of a request the test named (X-Request-Id), once settled. */
  const usageOf = async (clientId: string): Promise<UsageRow[]> => {
    expect(await settlements.outcome(clientId)).toBeNull();
    const rows = await master.request('GET', '/api/usage', { token: master.adminToken, query: { client_request_id: clientId } });
    return rows.body.data;
  };
  const withId = () => {
    const id = `media-${randomUUID()}`;
    return { id, options: { headers: { 'x-request-id': id } } };
  };
  const rerank = (body: unknown, id: string) =>
    fetch(new URL('/v1/rerank', master.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': id },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    // Uploads are spooled under os.tmpdir(): a directory of this suite's own, to prove nothing stays behind.
    uploadsDir = mkdtempSync(join(tmpdir(), 'aigw-non-chat-'));
    fake = await startMediaFake();
    master = await startTestMaster({
      config: {
        relay_upload_limit_mb: UPLOAD_LIMIT_MB,
        bootstrap: {
          users: [{ username: 'media-user', balance_usd: 1000 }],
          channels: [
            { name: 'media-openai', type: 'openai', base_url: fake.baseUrls.openai, key: fake.key },
            { name: 'media-cohere', type: 'cohere', base_url: fake.baseUrls.cohere, key: fake.key },
            { name: 'media-jina', type: 'jina', base_url: fake.baseUrls.jina, key: fake.key },
            { name: 'media-voyage', type: 'voyage', base_url: fake.baseUrls.voyage, key: fake.key },
          ],
          models: Object.entries(MODELS).map(([name, [, , price]]) => ({ name, price })),
          routes: Object.entries(MODELS).map(([model, [channel, upstream_model]]) => ({ model, channel, upstream_model })),
          tokens: [{ name: 'media', key: KEY, user: 'media-user' }],
        },
      },
    });
    settlements = await SettlementWatcher.start(master.master.app.get(AppConfig).redisPrefix);
    process.env.TMPDIR = uploadsDir;
    openai = new OpenAI({ apiKey: KEY, baseURL: `${master.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await settlements?.close();
    await master?.close();
    await fake?.close();
    process.env.TMPDIR = previousTmpdir;
    if (previousTmpdir === undefined) delete process.env.TMPDIR;
    rmSync(uploadsDir, { recursive: true, force: true });
  });

  describe('images', () => {
    it('generations: n images at the per-image price, the upstream model sent', async () => {
      const { id, options } = withId();
      const answer = await openai.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse at dusk', n: 2, response_format: 'b64_json' }, options);
      expect(answer.data).toHaveLength(2);
      expect(fake.received.at(-1)).toMatchObject({ path: '/openai/v1/images/generations', authorization: `Bearer ${fake.key}`, json: { model: 'dall-e-3', n: 2 } });
      const rows = await usageOf(id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ endpoint: 'images/generations', model: 'dall-e-3', status: 200, images: 2, prompt_tokens: 0, cost_micros: 80_000 });
    });

    it('generations of a token-priced model: the reported tokens are the bill, the images counted', async () => {
      const { id, options } = withId();
      const answer = await openai.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse at dusk' }, options);
      expect(answer.usage).toMatchObject({ input_tokens: FAKE_IMAGE_TOKENS.input, output_tokens: FAKE_IMAGE_TOKENS.outputPerImage });
      const [row] = await usageOf(id);
      // 50 input tokens at $5/M + 272 output tokens at $40/M = 250 + 10,880 µ$.
      expect(row).toMatchObject({ images: 1, prompt_tokens: 50, completion_tokens: 272, cost_micros: 11_130 });
    });

    it('streamed generations: the events pass through, each completed image and its tokens counted', async () => {
      const { id, options } = withId();
      const stream = await openai.images.generate({ model: 'gpt-image-1', prompt: 'two lighthouses', n: 2, stream: true, partial_images: 1 }, options);
      const types: string[] = [];
      for await (const event of stream) types.push(event.type);
      expect(types).toEqual(['image_generation.partial_image', 'image_generation.completed', 'image_generation.partial_image', 'image_generation.completed']);
      const [row] = await usageOf(id);
      // Two completed events of 50 + 272 tokens each: 100 × 5 + 544 × 40 µ$.
      expect(row).toMatchObject({ stream: true, images: 2, prompt_tokens: 100, completion_tokens: 544, cost_micros: 22_260 });
    });

    it('edits: the uploaded images and mask arrive intact, the model swapped for the upstream one', async () => {
      const { id, options } = withId();
      const first = Buffer.from(`\x89PNG first image ${randomUUID()}`);
      const second = Buffer.from(`\x89PNG second image ${randomUUID()}`);
      const mask = Buffer.from(`\x89PNG mask ${randomUUID()}`);
      const answer = await openai.images.edit(
        {
          model: 'dall-e-3',
          prompt: 'add a boat',
          image: [await toFile(first, 'first.png', { type: 'image/png' }), await toFile(second, 'second.png', { type: 'image/png' })],
          mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
          n: 1,
        },
        options,
      );
      expect(answer.data).toHaveLength(1);
      const received = fake.received.at(-1)!;
      expect(received.path).toBe('/openai/v1/images/edits');
      expect(received.contentType).toMatch(/^multipart\/form-data; boundary=/);
      expect(received.fields).toMatchObject({ model: ['dall-e-3'], prompt: ['add a boat'], n: ['1'] });
      // In the client's order (the SDK puts the mask first).
      expect(received.files!.map((file) => [file.field, file.filename, file.type, sha256(file.bytes)]).sort()).toEqual([
        ['image[]', 'first.png', 'image/png', sha256(first)],
        ['image[]', 'second.png', 'image/png', sha256(second)],
        ['mask', 'mask.png', 'image/png', sha256(mask)],
      ].sort());
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ endpoint: 'images/edits', images: 1, cost_micros: 40_000 });
    });
  });

  describe('audio', () => {
    it('speech: the audio streamed back byte for byte, billed per input character', async () => {
      const { id, options } = withId();
      const input = 'The quick brown fox — jumps. 🦊';
      const response = await openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input }, options);
      expect(response.headers.get('content-type')).toBe('audio/mpeg');
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(bytes.equals(speechBytes(input))).toBe(true);
      const [row] = await usageOf(id);
      const characters = [...input].length;
      expect(row).toMatchObject({ endpoint: 'audio/speech', stream: true, characters, cost_micros: characters * 15 });
    });

    it('transcriptions: the upload arrives intact, billed by the duration the upstream reports', async () => {
      const { id, options } = withId();
      const audio = wavFile(3.5);
      const answer = await openai.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }) }, options);
      expect(answer.text).toBe(`transcribe speech.wav ${audio.length} bytes sha256 ${sha256(audio)} model whisper-1`);
      expect(fake.received.at(-1)!.fields).toMatchObject({ model: ['whisper-1'] });
      const [row] = await usageOf(id);
      // usage {type: duration, seconds: 4} at $0.0001 a second.
      expect(row).toMatchObject({ endpoint: 'audio/transcriptions', audio_ms: 4_000, estimated: false, cost_micros: 400 });
    });

    it("transcriptions through a channel with param_overrides: the overrides reach the upstream as form fields", async () => {
      const channels = await master.request('GET', '/api/channels', { token: master.adminToken, query: { name: 'media-openai' } });
      const channel = channels.body.data[0] as { id: string; settings: Record<string, unknown> };
      const set = (settings: Record<string, unknown>) => master.request('PATCH', `/api/channels/${channel.id}`, { token: master.adminToken, body: { settings } });
      expect((await set({ ...channel.settings, provider: { param_overrides: { language: 'de', temperature: 0 } } })).status).toBe(200);
      try {
        const audio = wavFile(1);
        const answer = await openai.audio.transcriptions.create({ model: 'whisper-1', language: 'en', file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }) });
        expect(answer.text).toBe(`transcribe speech.wav ${audio.length} bytes sha256 ${sha256(audio)} model whisper-1`);
        expect(fake.received.at(-1)!.fields).toMatchObject({ model: ['whisper-1'], language: ['de'], temperature: ['0'] });
      } finally {
        expect((await set(channel.settings)).status).toBe(200);
      }
    });

    it("transcriptions in text: the client's format kept, billed by the duration read from the upload (flagged estimated)", async () => {
      const { id, options } = withId();
      const audio = wavFile(2.25);
      const text = await openai.audio.transcriptions.create(
        { model: 'whisper-1', file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }), response_format: 'text' },
        options,
      );
      expect(text).toBe(`transcribe speech.wav ${audio.length} bytes sha256 ${sha256(audio)} model whisper-1\n`);
      expect(fake.received.at(-1)!.fields).toMatchObject({ response_format: ['text'] });
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ audio_ms: 2_250, estimated: true, cost_micros: 225 });
    });

    it('transcriptions of a token-priced model: the reported tokens are the bill', async () => {
      const { id, options } = withId();
      const audio = wavFile(1);
      await openai.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await toFile(audio, 'a.wav', { type: 'audio/wav' }) }, options);
      const [row] = await usageOf(id);
      // 120 input tokens at $2.50/M + 30 output tokens at $10/M = 300 + 300 µ$; the second is recorded, not billed.
      expect(row).toMatchObject({ prompt_tokens: FAKE_TRANSCRIBE_TOKENS.input, completion_tokens: FAKE_TRANSCRIBE_TOKENS.output, audio_ms: 1_000, cost_micros: 600 });
    });

    it('translations in verbose_json: the upload arrives intact, billed by the reported duration', async () => {
      const { id, options } = withId();
      const audio = wavFile(1.5);
      const answer = await openai.audio.translations.create(
        { model: 'whisper-1', file: await toFile(audio, 'fr.wav', { type: 'audio/wav' }), response_format: 'verbose_json' },
        options,
      );
      expect(answer).toMatchObject({ duration: 1.5, text: `translate fr.wav ${audio.length} bytes sha256 ${sha256(audio)} model whisper-1` });
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ endpoint: 'audio/translations', audio_ms: 2_000, cost_micros: 200 });
    });
  });

  describe('moderations', () => {
    it('free by default, and metered regardless', async () => {
      const { id, options } = withId();
      const answer = await openai.moderations.create({ input: ['hello there', 'general kenobi'] }, options);
      expect(answer.results).toHaveLength(2);
      expect(fake.received.at(-1)!.json).toMatchObject({ model: 'omni-moderation-latest' });
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ endpoint: 'moderations', model: 'omni-moderation-latest', cost_micros: 0, estimated: true });
      expect(row.prompt_tokens).toBeGreaterThan(0);
    });

    it("billed by the input's estimated tokens when the model has an input price", async () => {
      const { id, options } = withId();
      await openai.moderations.create({ model: 'priced-moderation', input: 'hello world' }, options);
      expect(fake.received.at(-1)!.json).toMatchObject({ model: 'omni-moderation-2024-09-26' });
      const [row] = await usageOf(id);
      expect(row.cost_micros).toBe(row.prompt_tokens);
      expect(row.cost_micros).toBeGreaterThan(0);
    });
  });

  describe('rerank', () => {
    const documents = ['Paris is the capital of France.', { text: 'Berlin is the capital of Germany.' }, 'The Eiffel Tower is in Paris, France.'];

    it("Cohere: v2 request (strings, no return_documents), Cohere's answer with the documents added, its search units billed", async () => {
      const id = `rerank-${randomUUID()}`;
      const long = `France ${'x'.repeat(2100)}`;
      const response = await rerank({ model: 'rerank-cohere', query: 'capital of France', documents: [...documents, long], top_n: 2, return_documents: true }, id);
      const body = (await response.json()) as any;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(fake.received.at(-1)).toMatchObject({ path: '/cohere/v2/rerank', json: { model: 'rerank-v3.5', top_n: 2, documents: [documents[0], 'Berlin is the capital of Germany.', documents[2], long] } });
      expect(fake.received.at(-1)!.json).not.toHaveProperty('return_documents');
      expect(body).toEqual({
        id: 'cohere-rerank-fake',
        results: [
          { index: 0, relevance_score: expect.any(Number), document: { text: 'Paris is the capital of France.' } },
          { index: 1, relevance_score: expect.any(Number), document: { text: 'Berlin is the capital of Germany.' } },
        ],
        meta: { billed_units: { search_units: 2 } },
      });
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ endpoint: 'rerank', upstream_model: 'rerank-v3.5', search_units: 2, cost_micros: 4_000 });
    });

    it("Jina: Jina's request, answered in Cohere's shape, one search unit per 100 documents", async () => {
      const id = `rerank-${randomUUID()}`;
      const response = await rerank({ model: 'rerank-jina', query: 'capital of France', documents }, id);
      const body = (await response.json()) as any;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(fake.received.at(-1)).toMatchObject({ path: '/jina/v1/rerank', json: { model: 'jina-reranker-v2-base-multilingual', return_documents: false } });
      expect(body.results.map((result: { index: number }) => result.index)).toEqual([0, 1, 2]);
      expect(body.results[0]).not.toHaveProperty('document');
      expect(body.meta).toEqual({ billed_units: { search_units: 1 } });
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ search_units: 1, cost_micros: 2_000 });
    });

    it("Voyage: top_n sent as top_k, its data[] answered as Cohere's results", async () => {
      const id = `rerank-${randomUUID()}`;
      const many = Array.from({ length: 150 }, (_, index) => (index === 120 ? 'France has Paris as its capital' : `document ${index}`));
      const response = await rerank({ model: 'rerank-voyage', query: 'capital of France', documents: many, top_n: 1 }, id);
      const body = (await response.json()) as any;
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(fake.received.at(-1)).toMatchObject({ path: '/voyage/v1/rerank', json: { model: 'rerank-2', top_k: 1 } });
      expect(fake.received.at(-1)!.json).not.toHaveProperty('top_n');
      expect(body.results).toEqual([{ index: 120, relevance_score: expect.any(Number) }]);
      const [row] = await usageOf(id);
      expect(row).toMatchObject({ search_units: 2, cost_micros: 4_000 });
    });
  });

  describe('bad input, in OpenAI error shape', () => {
    const expectOpenAiError = (error: unknown, status: number, param: string | null, code: string | null = null) => {
      expect(error).toBeInstanceOf(APIError);
      const failure = error as APIError;
      expect(failure.status).toBe(status);
      expect(failure.error).toEqual({ message: expect.any(String), type: 'invalid_request_error', param, code });
    };

    it('a wrong JSON type → 400 naming the field', async () => {
      const failure = await openai.images.generate({ model: 'dall-e-3', prompt: 'x', n: 'two' as unknown as number }).catch((error: unknown) => error);
      expectOpenAiError(failure, 400, 'n');
      const speech = await openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 42 as unknown as string }).catch((error: unknown) => error);
      expectOpenAiError(speech, 400, 'input');
      const response = await rerank({ model: 'rerank-jina', query: 'q', documents: 'not a list' }, `bad-${randomUUID()}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: { message: 'documents must be a non-empty array', type: 'invalid_request_error', param: 'documents', code: null } });
    });

    it('a missing file → 400 naming it', async () => {
      const form = new FormData();
      form.append('model', 'whisper-1');
      const response = await fetch(new URL('/v1/audio/transcriptions', master.url), { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error).toMatchObject({ type: 'invalid_request_error', param: 'file' });
      const edit = await openai.images.edit({ model: 'dall-e-3', prompt: 'x', image: [] }).catch((error: unknown) => error);
      expectOpenAiError(edit, 400, 'image');
    });

    it('a wrong content type → 400: JSON to an upload endpoint, a form to a JSON one', async () => {
      const json = await fetch(new URL('/v1/audio/transcriptions', master.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'whisper-1', file: 'speech.wav' }),
      });
      expect(json.status).toBe(400);
      expect(((await json.json()) as any).error).toMatchObject({ type: 'invalid_request_error', message: 'this endpoint takes a multipart/form-data body' });
      const form = new FormData();
      form.append('model', 'dall-e-3');
      form.append('prompt', 'x');
      const multipart = await fetch(new URL('/v1/images/generations', master.url), { method: 'POST', headers: { authorization: `Bearer ${KEY}` }, body: form });
      expect(multipart.status).toBe(400);
      expect(((await multipart.json()) as any).error).toMatchObject({ type: 'invalid_request_error' });
    });

    it(`a file over relay_upload_limit_mb (${UPLOAD_LIMIT_MB} MiB) → 413, nothing sent upstream`, async () => {
      const before = fake.received.length;
      const big = Buffer.alloc(UPLOAD_LIMIT_MB * 1024 * 1024 + 1, 7);
      const failure = await openai.audio.transcriptions.create({ model: 'whisper-1', file: await toFile(big, 'big.wav', { type: 'audio/wav' }) }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(APIError);
      expect((failure as APIError).status).toBe(413);
      expect((failure as APIError).error).toEqual({ message: `each uploaded file may be at most ${UPLOAD_LIMIT_MB} MiB`, type: 'invalid_request_error', param: null, code: 'request_too_large' });
      expect(fake.received.length).toBe(before);
    });

    it('a model whose channels serve no such endpoint → 400 unsupported', async () => {
      const failure = await openai.images.generate({ model: 'chat-only', prompt: 'x' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(APIError);
      expect((failure as APIError).status).toBe(400);
      expect((failure as APIError).error).toMatchObject({ type: 'invalid_request_error', param: 'model', code: 'unsupported_parameter' });
    });
  });

  it('leaves no upload behind in the temp dir', () => {
    expect(readdirSync(uploadsDir)).toEqual([]);
  });
});

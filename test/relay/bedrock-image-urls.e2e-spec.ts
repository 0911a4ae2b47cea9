import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeBedrock, startFakeBedrock } from '../fake-provider/bedrock';
import { TestMaster, startTestMaster } from '../support/test-master';

/**
 * Images by URL for a provider that takes them only inline (Bedrock
 * Converse): with `media.fetch_image_urls` the gateway fetches them through
 * fetchImageBytes and sends the bytes; a fetch the guards refuse (a redirect
 * toward the metadata service) is the client's 400 and nothing reaches
 * Bedrock.
 */

const GATEWAY_KEY = 'sk-aigw-bedrock-images-0123456789abcdefghij';
const REGION = 'us-west-2';
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('image URLs for Bedrock Converse', () => {
  let fake: FakeBedrock;
  let images: http.Server;
  let imagesUrl: string;
  let master: TestMaster;
  let openai: OpenAI;

  beforeAll(async () => {
    fake = await startFakeBedrock({ region: REGION });
    images = http.createServer((request, response) => {
      if (request.url === '/cat.png') response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
      else response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    imagesUrl = `http://127.0.0.1:${(images.address() as AddressInfo).port}`;
    master = await startTestMaster({
      config: {
        // The image server is on loopback: allowed for this test only.
        media: { fetch_image_urls: true, allow_private: true },
        bootstrap: {
          users: [{ username: 'images-user', balance_usd: 1000 }],
          channels: [{ name: 'bedrock', type: 'bedrock', base_url: fake.url, key: JSON.stringify(fake.keyPair), settings: { provider: { region: REGION } } }],
          models: [{ name: 'br-vision', price: { input: 1, output: 2 } }],
          routes: [{ model: 'br-vision', channel: 'bedrock', upstream_model: 'amazon.nova-pro-v1:0' }],
          tokens: [{ name: 'images', key: GATEWAY_KEY, user: 'images-user' }],
        },
      },
    });
    openai = new OpenAI({ apiKey: GATEWAY_KEY, baseURL: `${master.url}/v1`, maxRetries: 0 });
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await master?.close();
    await fake?.close();
    await new Promise((resolve) => images?.close(resolve));
  });

  const ask = (url: string) =>
    openai.chat.completions.create(
      {
        model: 'br-vision',
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url } }] }],
      },
      { headers: { 'x-request-id': `images-${randomUUID()}` } },
    );

  it('fetches an image URL and sends Bedrock the bytes', async () => {
    const answer = await ask(`${imagesUrl}/cat.png`);
    expect(answer.choices[0].message.content).toBe('The capital of France is Paris.');
    expect(fake.received).toHaveLength(1);
    const content = fake.received[0].body.messages[0].content;
    expect(content[0]).toEqual({ text: 'What is in this image?' });
    expect(content[1].image.format).toBe('png');
    expect(Buffer.from(content[1].image.source.bytes, 'base64').equals(PNG)).toBe(true);
  });

  it('refuses an image URL that redirects (toward the metadata service): 400, nothing sent to Bedrock', async () => {
    const failure = await ask(`${imagesUrl}/redirect`).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
    expect((failure as InstanceType<typeof OpenAI.BadRequestError>).message).not.toContain('169.254');
    expect(fake.received).toHaveLength(0);
  });
});

import { EMPTY_USAGE } from '@aigw/providers';
import { describe, expect, it } from 'vitest';
import { audioMsFromSize, imagesAnswerUsage, mediaTokens, moderationText, transcriptionUsage, unitCount } from './media-usage.util';

describe('media usage', () => {
  it('takes only sane counts from upstreams', () => {
    expect([unitCount(3.9), unitCount(-1), unitCount('5'), unitCount(Number.NaN), unitCount(2 ** 40)]).toEqual([3, 0, 0, 0, 2_147_483_647]);
  });

  it('reads images answers: the images, and gpt-image tokens when reported', () => {
    expect(imagesAnswerUsage(JSON.stringify({ created: 1, data: [{ url: 'u' }, { url: 'v' }] }))).toEqual({ images: 2, tokens: null });
    expect(imagesAnswerUsage(JSON.stringify({ created: 1, data: [{ b64_json: 'x' }], usage: { input_tokens: 50, output_tokens: 272, total_tokens: 322 } }))).toEqual({
      images: 1,
      tokens: { ...EMPTY_USAGE, inputTokens: 50, outputTokens: 272 },
    });
    expect(imagesAnswerUsage('not json')).toEqual({ images: 0, tokens: null });
    expect(mediaTokens({ input_tokens: 0, output_tokens: 0 })).toBeNull();
  });

  it.each([
    [{ text: 't', usage: { type: 'duration', seconds: 4 } }, { tokens: null, audioMs: 4_000 }],
    [{ text: 't', duration: 8.470000267028809 }, { tokens: null, audioMs: 8_471 }],
    [{ text: 't', usage: { type: 'tokens', input_tokens: 120, output_tokens: 30, total_tokens: 150 } }, { tokens: { ...EMPTY_USAGE, inputTokens: 120, outputTokens: 30 }, audioMs: null }],
    [{ text: 't' }, { tokens: null, audioMs: null }],
    [{ text: 't', duration: -3 }, { tokens: null, audioMs: null }],
    [null, { tokens: null, audioMs: null }],
  ])('transcription %j → %j', (body, expected) => {
    expect(transcriptionUsage(body as Record<string, unknown> | null)).toEqual(expected);
  });

  it('estimates an unreadable upload at 128 kbit/s, and reads the text of moderation inputs', () => {
    expect(audioMsFromSize(160_000)).toBe(10_000);
    expect(moderationText('hello')).toBe('hello');
    expect(moderationText(['a', { type: 'text', text: 'b' }, { type: 'image_url', image_url: { url: 'data:' } }])).toBe('a\nb\n');
    expect(moderationText({ nope: true })).toBe('');
  });
});

import { describe, expect, it } from 'vitest';
import { buildDataUrl, parseDataUrl } from './media';

describe('parseDataUrl', () => {
  it.each<[string, ReturnType<typeof parseDataUrl>]>([
    ['data:image/png;base64,iVBORw0KGgo=', { mediaType: 'image/png', data: 'iVBORw0KGgo=' }],
    ['data:text/plain;charset=utf-8;base64,aGk=', { mediaType: 'text/plain', data: 'aGk=' }],
    ['data:Application/PDF;base64,JVBE', { mediaType: 'application/pdf', data: 'JVBE' }],
    ['data:image/png,rawtext', null],
    ['data:;base64,aGk=', null],
    ['data:image/png;base64', null],
    ['https://example.com/a.png', null],
  ])('%s', (input, expected) => {
    expect(parseDataUrl(input)).toEqual(expected);
  });

  it('round-trips with buildDataUrl', () => {
    expect(parseDataUrl(buildDataUrl('application/pdf', 'JVBE'))).toEqual({ mediaType: 'application/pdf', data: 'JVBE' });
  });
});

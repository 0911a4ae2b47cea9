import { MediaSource } from '../ir';
import { buildDataUrl, parseDataUrl } from '../shared/media';

/** A URL the client gave (https or data:) → an IR media source. */
export function mediaSourceFromUrl(url: string): MediaSource {
  const inline = parseDataUrl(url);
  return inline ? { type: 'base64', mediaType: inline.mediaType, data: inline.data } : { type: 'url', url };
}

/** An IR media source → the URL form Responses takes (data: URL for inline bytes). */
export function mediaSourceToUrl(source: MediaSource): string {
  return source.type === 'url' ? source.url : buildDataUrl(source.mediaType, source.data);
}

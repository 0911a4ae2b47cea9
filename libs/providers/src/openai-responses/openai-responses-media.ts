import { MediaSource } from '../ir';

/** `data:<media type>;base64,<data>` → its parts; undefined for anything else. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+)?((?:;[^;,=]+=[^;,]*)*);base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1] || 'application/octet-stream', data: match[3] };
}

/** A URL the client gave (https or data:) → an IR media source. */
export function mediaSourceFromUrl(url: string): MediaSource {
  const inline = parseDataUrl(url);
  return inline ? { type: 'base64', mediaType: inline.mediaType, data: inline.data } : { type: 'url', url };
}

/** An IR media source → the URL form Responses takes (data: URL for inline bytes). */
export function mediaSourceToUrl(source: MediaSource): string {
  return source.type === 'url' ? source.url : `data:${source.mediaType};base64,${source.data}`;
}

const EXTENSION_MEDIA_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/**
 * The media type of a file named only by its filename or URL path; Responses
 * `input_file` has no media type field and OpenAI sniffs the bytes, but the
 * IR (and Anthropic / Gemini upstreams) need one.
 */
export function mediaTypeFromName(name: string | undefined): string | undefined {
  const path = name?.split(/[?#]/)[0] ?? '';
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension ? EXTENSION_MEDIA_TYPES[extension] : undefined;
}

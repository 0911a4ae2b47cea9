/**
 * Media types and data URLs, shared by the codecs: a URL or a file name
 * carries no media type, but the IR and several upstreams need one.
 */
const MEDIA_TYPE_BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  json: 'application/json',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

/** The media type a file name's or URL path's extension implies; undefined when unknown. */
export function mediaTypeFromName(name: string | undefined): string | undefined {
  const path = name?.split(/[?#]/)[0] ?? '';
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension ? MEDIA_TYPE_BY_EXTENSION[extension] : undefined;
}

/**
 * `data:<media type>[;param=value]*;base64,<data>` → its parts, or null when
 * the value is not a base64 data URL. Works with indexOf (no regex over
 * megabytes of base64). Media-type parameters (charset) are dropped: the IR
 * keeps the bare type.
 */
export function parseDataUrl(value: string): { mediaType: string; data: string } | null {
  if (!value.startsWith('data:')) return null;
  const comma = value.indexOf(',');
  if (comma < 0) return null;
  const header = value.slice(5, comma).split(';');
  if (header[header.length - 1].toLowerCase() !== 'base64') return null;
  const mediaType = header[0].trim().toLowerCase();
  if (mediaType === '' || !mediaType.includes('/')) return null;
  return { mediaType, data: value.slice(comma + 1) };
}

export function buildDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

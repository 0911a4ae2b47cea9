import { FilePart, ImagePart, MediaSource, invalidRequest, unsupported } from '../ir';
import { GeminiBlob, GeminiFileData } from './gemini.types';
import { isRecord, readField } from './gemini-json.util';

/**
 * inlineData / fileData ⇄ IR image and file parts. The MIME type decides:
 * image/* is an image, anything else (PDF, text, audio, video) a file the IR
 * carries with its media type; other upstreams refuse what they cannot read.
 */
export function decodeGeminiMedia(kind: 'inlineData' | 'fileData', value: unknown, param: string): ImagePart | FilePart {
  if (!isRecord(value)) throw invalidRequest(`${kind} must be an object`, param);
  const mimeType = readField(value, 'mimeType');
  if (mimeType !== undefined && typeof mimeType !== 'string') throw invalidRequest(`${kind}.mimeType must be a string`, `${param}.mimeType`);
  let source: MediaSource;
  let mediaType: string;
  if (kind === 'inlineData') {
    const data = readField(value, 'data');
    if (typeof data !== 'string') throw invalidRequest('inlineData.data must be a base64 string', `${param}.data`);
    if (!mimeType) throw invalidRequest('inlineData.mimeType is required', `${param}.mimeType`);
    mediaType = mimeType;
    source = { type: 'base64', mediaType, data };
  } else {
    const fileUri = readField(value, 'fileUri');
    if (typeof fileUri !== 'string' || fileUri === '') throw invalidRequest('fileData.fileUri must be a string', `${param}.fileUri`);
    // Gemini guesses the type of a YouTube or Files-API URI itself; the IR (and every other provider) needs it.
    if (!mimeType) throw unsupported('fileData without mimeType', `${param}.mimeType`);
    mediaType = mimeType;
    source = { type: 'url', url: fileUri, mediaType };
  }
  return mediaType.toLowerCase().startsWith('image/') ? { type: 'image', source } : { type: 'file', source, mediaType };
}

/**
 * An IR media source → inlineData (base64, data: URLs) or fileData (other
 * URLs: Files-API, gs:// and public https URIs Gemini fetches itself).
 * Gemini needs a MIME type on both: the source's, the part's, a guess from the
 * URL's extension, else `fallback` (image/jpeg for images, as Gemini's own
 * docs default; capture imageUrlMimeTypeFallbackParam).
 */
export function encodeGeminiMedia(source: MediaSource, mediaType: string | undefined, fallback: string | undefined, param: string): { inlineData: GeminiBlob } | { fileData: GeminiFileData } {
  if (source.type === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const dataUrl = parseDataUrl(source.url);
  if (dataUrl) return { inlineData: { mimeType: dataUrl.mediaType, data: dataUrl.data } };
  const mimeType = source.mediaType ?? mediaType ?? guessMediaType(source.url) ?? fallback;
  if (!mimeType) throw unsupported('a file URL whose media type is unknown', param);
  return { fileData: { mimeType, fileUri: source.url } };
}

const EXTENSION_MEDIA_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  csv: 'text/csv',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  mp4: 'video/mp4',
};

function guessMediaType(url: string): string | undefined {
  const path = url.split(/[?#]/)[0];
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return extension ? EXTENSION_MEDIA_TYPES[extension] : undefined;
}

/** `data:<type>[;…];base64,<data>` → its parts; indexOf, not a regex over megabytes of base64. */
function parseDataUrl(value: string): { mediaType: string; data: string } | null {
  if (!value.startsWith('data:')) return null;
  const comma = value.indexOf(',');
  if (comma < 0) return null;
  const header = value.slice(5, comma).split(';');
  if (header[header.length - 1].toLowerCase() !== 'base64') return null;
  const mediaType = header[0].trim().toLowerCase();
  return mediaType.includes('/') ? { mediaType, data: value.slice(comma + 1) } : null;
}


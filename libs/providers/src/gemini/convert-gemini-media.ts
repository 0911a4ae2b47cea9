import { FilePart, ImagePart, MediaSource, invalidRequest, unsupported } from '../ir';
import { GeminiBlob, GeminiFileData } from './gemini.types';
import { isRecord, readField } from './gemini-json.util';
import { mediaTypeFromName, parseDataUrl } from '../shared/media';

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
  const mimeType = source.mediaType ?? mediaType ?? mediaTypeFromName(source.url) ?? fallback;
  if (!mimeType) throw unsupported('a file URL whose media type is unknown', param);
  return { fileData: { mimeType, fileUri: source.url } };
}

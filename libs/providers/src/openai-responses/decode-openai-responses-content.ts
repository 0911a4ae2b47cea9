import { CacheControl, FilePart, ImagePart, TextPart, invalidRequest, unsupported } from '../ir';
import { mediaTypeFromName, parseDataUrl } from '../shared/media';
import { mediaSourceFromUrl } from './openai-responses-media';
import { ResponsesMessagePhase, ResponsesTextPart } from './openai-responses.types';
import { JsonObject, optionalString, requireObject, requireString } from './read-openai-responses-fields';

/**
 * Content of Responses input messages and function_call_output items → IR
 * parts. `param` is the path of the content (`input[3].content`).
 */
export type InputPart = TextPart | ImagePart | FilePart;

/** A user message's content, or a function_call_output's output (same part types). */
export function decodeInputContent(content: unknown, param: string): InputPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`Invalid type for '${param}': expected a string or an array.`, param);
  return content.map((raw, index) => decodeInputPart(requireObject(raw, `${param}[${index}]`), `${param}[${index}]`));
}

/** A system / developer message's content: text only. */
export function decodeInstructionContent(content: unknown, param: string): TextPart[] {
  return decodeInputContent(content, param).map((part, index) => {
    if (part.type !== 'text') throw unsupported(`${part.type === 'image' ? 'Images' : 'Files'} in system or developer messages`, `${param}[${index}]`);
    return part;
  });
}

/** An assistant message's content: output_text and refusal parts (input_text tolerated, as OpenAI does for replayed history). */
export function decodeAssistantContent(content: unknown, param: string, item: { id?: string; phase?: ResponsesMessagePhase }): ResponsesTextPart[] {
  const texts: string[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    content.forEach((raw, index) => {
      const partParam = `${param}[${index}]`;
      const part = requireObject(raw, partParam);
      if (part.type === 'output_text' || part.type === 'input_text') texts.push(requireString(part.text, `${partParam}.text`));
      else if (part.type === 'refusal') texts.push(requireString(part.refusal, `${partParam}.refusal`));
      else throw invalidRequest(`Invalid value for '${partParam}.type': assistant content must be 'output_text' or 'refusal'.`, `${partParam}.type`);
    });
  } else throw invalidRequest(`Invalid type for '${param}': expected a string or an array.`, param);
  return texts.map((text) => {
    const part: ResponsesTextPart = { type: 'text', text };
    if (item.id) part.itemId = item.id;
    if (item.phase) part.phase = item.phase;
    return part;
  });
}

function decodeInputPart(part: JsonObject, param: string): InputPart {
  const cacheControl = decodeCacheBreakpoint(part.prompt_cache_breakpoint);
  const decoded = decodePartBody(part, param);
  return cacheControl ? { ...decoded, cacheControl } : decoded;
}

function decodePartBody(part: JsonObject, param: string): InputPart {
  switch (part.type) {
    case 'input_text':
      return { type: 'text', text: requireString(part.text, `${param}.text`) };
    case 'input_image':
      return decodeImage(part, param);
    case 'input_file':
      return decodeFile(part, param);
    default:
      throw invalidRequest(
        `Invalid value for '${param}.type': expected one of 'input_text', 'input_image', 'input_file'.`,
        `${param}.type`,
      );
  }
}

function decodeImage(part: JsonObject, param: string): ImagePart {
  if (part.file_id != null) throw unsupported('input_image.file_id (files uploaded to OpenAI)', `${param}.file_id`);
  const url = optionalString(part.image_url, `${param}.image_url`);
  if (!url) throw invalidRequest(`Missing required parameter: '${param}.image_url'.`, `${param}.image_url`);
  const image: ImagePart = { type: 'image', source: mediaSourceFromUrl(url) };
  const detail = part.detail;
  if (detail === 'auto' || detail === 'low' || detail === 'high') image.detail = detail;
  else if (detail === 'original') throw unsupported("input_image.detail 'original'", `${param}.detail`);
  else if (detail != null) throw invalidRequest(`Invalid value for '${param}.detail'.`, `${param}.detail`);
  return image;
}

function decodeFile(part: JsonObject, param: string): FilePart {
  if (part.file_id != null) throw unsupported('input_file.file_id (files uploaded to OpenAI)', `${param}.file_id`);
  if (part.detail != null && part.detail !== 'auto') throw unsupported(`input_file.detail '${String(part.detail)}'`, `${param}.detail`);
  const filename = optionalString(part.filename, `${param}.filename`);
  const fileData = optionalString(part.file_data, `${param}.file_data`);
  const fileUrl = optionalString(part.file_url, `${param}.file_url`);
  if (fileData !== undefined) {
    // OpenAI documents a data: URL; a bare base64 string is accepted too.
    const inline = parseDataUrl(fileData);
    const mediaType = inline?.mediaType ?? mediaTypeFromName(filename) ?? 'application/octet-stream';
    return withFilename({ type: 'file', source: { type: 'base64', mediaType, data: inline?.data ?? fileData }, mediaType }, filename);
  }
  if (fileUrl !== undefined) {
    const mediaType = mediaTypeFromName(filename) ?? mediaTypeFromName(fileUrl) ?? 'application/octet-stream';
    return withFilename({ type: 'file', source: { type: 'url', url: fileUrl, mediaType }, mediaType }, filename);
  }
  throw invalidRequest(`'${param}' needs one of 'file_data', 'file_url' or 'file_id'.`, param);
}

function withFilename(file: FilePart, filename: string | undefined): FilePart {
  return filename ? { ...file, filename } : file;
}

/** An explicit prompt-cache breakpoint (gpt-5.6) is the IR's cache marker. */
function decodeCacheBreakpoint(value: unknown): CacheControl | undefined {
  return value && typeof value === 'object' ? { type: 'ephemeral' } : undefined;
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { SPECS_DIR, convertOpenApiSchema } from './request-schemas';
import { readBodyBytes } from './read-body';

/**
 * A fake of the non-chat upstream APIs, on its own node:http server: OpenAI's
 * images (generations, edits), audio (speech, transcriptions, translations)
 * and moderations under `/openai/v1`, and rerank in three dialects — Cohere v2
 * under `/cohere` (POST /v2/rerank), Jina under `/jina/v1` and Voyage under
 * `/voyage/v1` (POST /rerank). JSON bodies are checked against OpenAI's
 * published schemas (../shared/specs) and refused 400 like the API would;
 * multipart uploads are parsed, and each received file's bytes are kept (and
 * echoed by transcriptions) so tests can prove they arrived intact.
 */
export interface MediaFake {
  url: string;
  key: string;
  baseUrls: { openai: string; cohere: string; jina: string; voyage: string };
  received: ReceivedMediaRequest[];
  close(): Promise<void>;
}

export interface ReceivedFile {
  field: string;
  filename: string;
  type: string;
  bytes: Buffer;
}

export interface ReceivedMediaRequest {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  json?: Record<string, any>;
  /** Multipart text fields (a repeated field's values in order) and files. */
  fields?: Record<string, string[]>;
  files?: ReceivedFile[];
}

export const MEDIA_FAKE_KEY = 'sk-fake-media-key';

/** The audio bytes the fake speaks for an input: deterministic, a little over 64 KiB, sent in 16 KiB chunks. */
export function speechBytes(input: string, format = 'mp3'): Buffer {
  const seed = createHash('sha256').update(`${format}:${input}`).digest();
  const chunks: Buffer[] = [Buffer.from(format === 'mp3' ? 'ID3' : format)];
  for (let index = 0; index < 2100; index += 1) chunks.push(seed);
  return Buffer.concat(chunks);
}

/** A PCM WAV file of silence: what tests upload (its duration is exact in its header). */
export function wavFile(seconds: number, sampleRate = 8_000): Buffer {
  const data = Math.round(seconds * sampleRate) * 2;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data, 40);
  return Buffer.concat([header, Buffer.alloc(data)]);
}

/** The duration a WAV's header states, in seconds (what the fake reports as the transcribed audio's). */
export function wavSeconds(bytes: Buffer): number | null {
  if (bytes.length < 44 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') return null;
  return bytes.readUInt32LE(40) / bytes.readUInt32LE(28);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Token usage the fake reports for token-priced models (gpt-image-*, gpt-4o-*transcribe). */
export const FAKE_IMAGE_TOKENS = { input: 50, outputPerImage: 272 };
export const FAKE_TRANSCRIBE_TOKENS = { input: 120, output: 30 };

export async function startMediaFake(): Promise<MediaFake> {
  const received: ReceivedMediaRequest[] = [];
  const server: Server = createServer((request, response) => {
    handle(request, response, received).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`media fake: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    key: MEDIA_FAKE_KEY,
    baseUrls: { openai: `${url}/openai/v1`, cohere: `${url}/cohere`, jina: `${url}/jina/v1`, voyage: `${url}/voyage/v1` },
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, received: ReceivedMediaRequest[]): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://fake').pathname;
  const raw = await readBodyBytes(request);
  const contentType = request.headers['content-type'];
  const entry: ReceivedMediaRequest = { path, authorization: request.headers.authorization, contentType };
  if (contentType?.startsWith('multipart/form-data')) Object.assign(entry, await parseForm(raw, contentType));
  else if (raw.length > 0) entry.json = JSON.parse(raw.toString('utf8'));
  received.push(entry);
  if (request.headers.authorization !== `Bearer ${MEDIA_FAKE_KEY}`) return sendError(response, 401, 'Incorrect API key provided.', 'invalid_request_error');
  const route = ROUTES[`${request.method} ${path}`];
  if (!route) return sendError(response, 404, `Invalid URL (${request.method} ${path})`, 'invalid_request_error');
  await route(entry, response);
}

type Route = (request: ReceivedMediaRequest, response: ServerResponse) => void | Promise<void>;

const ROUTES: Record<string, Route> = {
  'POST /openai/v1/images/generations': (request, response) => {
    const problems = validate('CreateImageRequest', request.json);
    if (problems) return sendError(response, 400, problems, 'invalid_request_error');
    answerImages(request.json!.model, Number(request.json!.n ?? 1), request.json!.stream === true, 'image_generation', response);
  },
  'POST /openai/v1/images/edits': (request, response) => {
    const images = request.files!.filter((file) => file.field === 'image' || file.field === 'image[]');
    if (images.length === 0 || !request.fields!.prompt) return sendError(response, 400, 'image and prompt are required', 'invalid_request_error');
    answerImages(request.fields!.model?.[0] ?? 'dall-e-2', Number(request.fields!.n?.[0] ?? 1), request.fields!.stream?.[0] === 'true', 'image_edit', response);
  },
  'POST /openai/v1/audio/speech': async (request, response) => {
    const problems = validate('CreateSpeechRequest', request.json);
    if (problems) return sendError(response, 400, problems, 'invalid_request_error');
    const format = request.json!.response_format ?? 'mp3';
    const bytes = speechBytes(request.json!.input, format);
    response.writeHead(200, { 'content-type': format === 'mp3' ? 'audio/mpeg' : `audio/${format}`, 'transfer-encoding': 'chunked' });
    for (let offset = 0; offset < bytes.length; offset += 16_384) {
      await new Promise<void>((done) => response.write(bytes.subarray(offset, offset + 16_384), () => done()));
    }
    response.end();
  },
  'POST /openai/v1/audio/transcriptions': (request, response) => answerTranscription('transcribe', request, response),
  'POST /openai/v1/audio/translations': (request, response) => answerTranscription('translate', request, response),
  'POST /openai/v1/moderations': (request, response) => {
    const problems = validate('CreateModerationRequest', request.json);
    if (problems) return sendError(response, 400, problems, 'invalid_request_error');
    const inputs = Array.isArray(request.json!.input) ? request.json!.input : [request.json!.input];
    const categories = moderationCategories();
    const result = {
      flagged: false,
      categories: Object.fromEntries(categories.map((name) => [name, false])),
      category_scores: Object.fromEntries(categories.map((name) => [name, 0.0001])),
      category_applied_input_types: Object.fromEntries(categories.map((name) => [name, ['text']])),
    };
    sendJson(response, 200, { id: 'modr-fake', model: request.json!.model, results: inputs.map(() => result) });
  },
  'POST /cohere/v2/rerank': (request, response) => {
    const body = request.json!;
    if (!Array.isArray(body.documents) || body.documents.some((document: unknown) => typeof document !== 'string')) {
      return sendJson(response, 400, { message: 'invalid request: documents must be a list of strings' });
    }
    if ('return_documents' in body) return sendJson(response, 400, { message: 'invalid request: return_documents is not a v2 parameter' });
    // Cohere splits long documents into chunks, each a document for billing: the fake counts one more unit per document over 2,000 characters.
    const searchUnits = Math.ceil(body.documents.length / 100) + body.documents.filter((document: string) => document.length > 2000).length;
    sendJson(response, 200, {
      id: 'cohere-rerank-fake',
      results: rank(body.query, body.documents, body.top_n),
      meta: { api_version: { version: '2' }, billed_units: { search_units: searchUnits } },
    });
  },
  'POST /jina/v1/rerank': (request, response) => {
    const body = request.json!;
    if ('top_k' in body) return sendJson(response, 422, { detail: 'top_k is not a Jina parameter' });
    sendJson(response, 200, { model: body.model, usage: { total_tokens: 42 }, results: rank(body.query, body.documents, body.top_n) });
  },
  'POST /voyage/v1/rerank': (request, response) => {
    const body = request.json!;
    if ('top_n' in body) return sendJson(response, 400, { detail: "Request body has an unexpected field 'top_n'" });
    sendJson(response, 200, { object: 'list', data: rank(body.query, body.documents, body.top_k), model: body.model, usage: { total_tokens: 42 } });
  },
};

function answerImages(model: string, count: number, stream: boolean, event: 'image_generation' | 'image_edit', response: ServerResponse): void {
  const tokenPriced = model.startsWith('gpt-image');
  const usage = (images: number) => ({
    input_tokens: FAKE_IMAGE_TOKENS.input,
    output_tokens: FAKE_IMAGE_TOKENS.outputPerImage * images,
    total_tokens: FAKE_IMAGE_TOKENS.input + FAKE_IMAGE_TOKENS.outputPerImage * images,
    input_tokens_details: { text_tokens: FAKE_IMAGE_TOKENS.input, image_tokens: 0 },
  });
  const image = (index: number) => Buffer.from(`fake-png-${index}`).toString('base64');
  if (stream) {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let index = 0; index < count; index += 1) {
      const partial = { type: `${event}.partial_image`, b64_json: image(index), partial_image_index: 0, created_at: 1_713_833_628, size: '1024x1024', quality: 'low', background: 'opaque', output_format: 'png' };
      response.write(`event: ${event}.partial_image\ndata: ${JSON.stringify(partial)}\n\n`);
      const completed = { type: `${event}.completed`, b64_json: image(index), created_at: 1_713_833_628, size: '1024x1024', quality: 'low', background: 'opaque', output_format: 'png', usage: usage(1) };
      response.write(`event: ${event}.completed\ndata: ${JSON.stringify(completed)}\n\n`);
    }
    response.end();
    return;
  }
  sendJson(response, 200, {
    created: 1_713_833_628,
    data: Array.from({ length: count }, (_, index) => ({ b64_json: image(index) })),
    ...(tokenPriced ? { background: 'opaque', output_format: 'png', size: '1024x1024', quality: 'low', usage: usage(count) } : {}),
  });
}

/** Echoes what it received (file name, size, SHA-256, model) in the asked response_format, with OpenAI's usage. */
function answerTranscription(task: 'transcribe' | 'translate', request: ReceivedMediaRequest, response: ServerResponse): void {
  const file = request.files?.find((candidate) => candidate.field === 'file');
  const model = request.fields?.model?.[0];
  if (!file || !model) return sendError(response, 400, 'file and model are required', 'invalid_request_error');
  const seconds = wavSeconds(file.bytes) ?? 1;
  const text = `${task} ${file.filename} ${file.bytes.length} bytes sha256 ${sha256(file.bytes)} model ${model}`;
  const tokenPriced = model.startsWith('gpt-4o');
  const usage = tokenPriced
    ? { type: 'tokens', input_tokens: FAKE_TRANSCRIBE_TOKENS.input, output_tokens: FAKE_TRANSCRIBE_TOKENS.output, total_tokens: FAKE_TRANSCRIBE_TOKENS.input + FAKE_TRANSCRIBE_TOKENS.output }
    : { type: 'duration', seconds: Math.ceil(seconds) };
  if (request.fields?.stream?.[0] === 'true') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(`data: ${JSON.stringify({ type: 'transcript.text.delta', delta: text })}\n\n`);
    response.end(`data: ${JSON.stringify({ type: 'transcript.text.done', text, usage })}\n\n`);
    return;
  }
  const format = request.fields?.response_format?.[0] ?? 'json';
  switch (format) {
    case 'json':
      return sendJson(response, 200, { text, usage });
    case 'verbose_json':
      return sendJson(response, 200, { task, language: 'english', duration: seconds, text, segments: [], usage: { type: 'duration', seconds: Math.ceil(seconds) } });
    case 'text':
      return sendText(response, 'text/plain; charset=utf-8', `${text}\n`);
    case 'srt':
      return sendText(response, 'text/plain; charset=utf-8', `1\n00:00:00,000 --> 00:00:0${Math.min(9, Math.ceil(seconds))},000\n${text}\n\n`);
    case 'vtt':
      return sendText(response, 'text/vtt; charset=utf-8', `WEBVTT\n\n00:00:00.000 --> 00:00:0${Math.min(9, Math.ceil(seconds))}.000\n${text}\n\n`);
    default:
      return sendError(response, 400, `response_format ${format} is not supported`, 'invalid_request_error');
  }
}

/** Scores by the share of the query's words a document holds; descending, top n. */
function rank(query: string, documents: string[], topN: number | undefined): Array<{ index: number; relevance_score: number }> {
  const words = query.toLowerCase().split(/\W+/).filter(Boolean);
  const scored = documents.map((document, index) => {
    const text = document.toLowerCase();
    const hits = words.filter((word) => text.includes(word)).length;
    return { index, relevance_score: Number(((hits + 1) / (words.length + 2)).toFixed(6)) };
  });
  scored.sort((a, b) => b.relevance_score - a.relevance_score || a.index - b.index);
  return topN ? scored.slice(0, topN) : scored;
}

async function parseForm(raw: Buffer, contentType: string): Promise<Pick<ReceivedMediaRequest, 'fields' | 'files'>> {
  const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType } }).formData();
  const fields: Record<string, string[]> = {};
  const files: ReceivedFile[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') (fields[name] ??= []).push(value);
    else files.push({ field: name, filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return { fields, files };
}

let schemas: { ajv: Ajv2020; validators: Map<string, ValidateFunction>; categories: string[] } | undefined;

/** OpenAI's published request schemas (loaded once): the problems with a body, or null when it is valid. */
function validate(schema: string, body: unknown): string | null {
  const loaded = loadSchemas();
  let validator = loaded.validators.get(schema);
  if (!validator) {
    validator = loaded.ajv.compile({ $ref: `https://media-fake.test/openai#/components/schemas/${schema}` });
    loaded.validators.set(schema, validator);
  }
  if (validator(body)) return null;
  return `Invalid request body: ${(validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`).join('; ')}`;
}

function moderationCategories(): string[] {
  return loadSchemas().categories;
}

function loadSchemas(): NonNullable<typeof schemas> {
  if (schemas) return schemas;
  const document = parseYaml(readFileSync(resolve(SPECS_DIR, 'openai-openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, any> } };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  for (const format of ['unixtime', 'png', 'binary']) ajv.addFormat(format, true);
  const converted = Object.fromEntries(Object.entries(document.components.schemas).map(([key, value]) => [key, convertOpenApiSchema(value)]));
  ajv.addSchema({ $id: 'https://media-fake.test/openai', components: { schemas: converted } });
  const categories = Object.keys(document.components.schemas.CreateModerationResponse.properties.results.items.properties.categories.properties);
  schemas = { ajv, validators: new Map(), categories };
  return schemas;
}

function sendError(response: ServerResponse, status: number, message: string, type: string): void {
  sendJson(response, status, { error: { message, type, param: null, code: null } });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}

function sendText(response: ServerResponse, contentType: string, text: string): void {
  response.writeHead(200, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}

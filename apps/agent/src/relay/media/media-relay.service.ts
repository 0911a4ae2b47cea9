import { AppConfig } from '@aigw/config';
import { PolicyModel } from '@aigw/contracts';
import { estimateTextTokens } from '@aigw/metering';
import { EMPTY_USAGE, GatewayError, UpstreamAnswer, UpstreamProtocol, Usage, codecFor } from '@aigw/providers';
import { Candidate } from '@aigw/routing';
import { Injectable, Logger } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { assertModelAllowed, authenticate, extractApiKey } from '../client-auth.util';
import { Exchange, clientRequestIdOf, newExchange } from '../exchange';
import { ExchangeRunner } from '../exchange-runner.service';
import { PolicyStore } from '../policy-store';
import { wantsRouteDebug } from '../route-debug.util';
import { RoutePlanner } from '../route-plan';
import { UpstreamDispatcher, UpstreamPlan } from '../upstream-dispatcher.service';
import { probeAudioDurationMs } from './audio-duration';
import { jsonObjectBody, optionalBoolean, optionalInteger, requiredText } from './media-fields.util';
import { imagesWorstCaseMicros, moderationWorstCaseMicros, rerankWorstCaseMicros, speechCostMicros, transcriptionWorstCaseMicros } from './media-quota.util';
import { answerContentType, pipeAnswer, readAnswer } from './media-response.util';
import { audioMsFromSize, imagesAnswerUsage, mediaTokens, moderationText, parseObject, transcriptionUsage } from './media-usage.util';
import { MultipartUpload } from './multipart-upload';
import { decodeRerankRequest, encodeRerankRequest, encodeRerankResponse, rerankDialectFor } from './rerank-dialect';

/** The usage record's endpoint, and the path below /v1. */
export type MediaEndpoint = 'images/generations' | 'images/edits' | 'audio/speech' | 'audio/transcriptions' | 'audio/translations' | 'moderations' | 'rerank';

/** OpenAI's default moderation model (the only media endpoint whose model may be left out). */
export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

/** What the client sent: a JSON body, or a multipart upload (whose text fields are `body`). */
interface MediaInput {
  body: Record<string, unknown>;
  upload: MultipartUpload | null;
}

/** One endpoint's request, validated: what to reserve, what to send each candidate, how to answer and meter. */
interface MediaCall {
  model: string;
  stream: boolean;
  worstCase(model: PolicyModel | undefined, groupRatioPpm: number): number;
  plan(candidate: Candidate, upstreamProtocol: UpstreamProtocol): UpstreamPlan | null;
  respond(answer: UpstreamAnswer): Promise<void>;
}

const OPENAI = codecFor('openai-chat');

/**
 * The endpoints beside chat that OpenAI's SDKs (and Cohere's rerank) call:
 * images, speech, transcriptions and translations, moderations, rerank. Same
 * auth, quota admission, routing, dispatcher and metering as the chat relay;
 * errors in OpenAI's shape. Images, audio and moderations go to channels that
 * speak OpenAI's protocol; rerank to Cohere, Jina, Voyage and Jina-shaped
 * OpenAI-compatible servers (rerank-dialect.ts). Each request leaves one
 * usage record counting its images, audio, characters or search units.
 */
@Injectable()
export class MediaRelayService {
  private readonly logger = new Logger(MediaRelayService.name);
  private readonly uploadLimitBytes: number;

  constructor(
    private readonly policy: PolicyStore,
    private readonly upstream: UpstreamDispatcher,
    private readonly planner: RoutePlanner,
    private readonly runner: ExchangeRunner,
    config: AppConfig,
  ) {
    this.uploadLimitBytes = config.relayUploadLimitBytes;
  }

  images(endpoint: 'images/generations' | 'images/edits', request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(endpoint, request, reply, endpoint === 'images/edits', (input, exchange) => this.imagesCall(endpoint, input, exchange, reply));
  }

  speech(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve('audio/speech', request, reply, false, (input, exchange) => this.speechCall(input, exchange, reply));
  }

  transcription(endpoint: 'audio/transcriptions' | 'audio/translations', request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve(endpoint, request, reply, true, (input, exchange) => this.transcriptionCall(endpoint, input, exchange, reply));
  }

  moderations(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve('moderations', request, reply, false, (input, exchange) => this.moderationsCall(input, exchange, reply));
  }

  rerank(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    return this.serve('rerank', request, reply, false, (input, exchange) => this.rerankCall(input, exchange, reply));
  }

  /**
   * Auth (before an upload is read), the body, admission, dispatch, the
   * answer. An upload's temp files go as soon as nothing needs them: once an
   * upstream has answered (it has read the whole body; no other attempt
   * follows), or before a refusal is answered — and, whatever else happens,
   * when the exchange ends.
   */
  private async serve(
    endpoint: MediaEndpoint,
    request: FastifyRequest,
    reply: FastifyReply,
    multipart: boolean,
    prepare: (input: MediaInput, exchange: Exchange) => MediaCall | Promise<MediaCall>,
  ): Promise<void> {
    const exchange = newExchange(String(request.id), 'openai-chat', endpoint, clientRequestIdOf(request.headers));
    const spooled: { upload: MultipartUpload | null } = { upload: null };
    try {
      await this.runner.run(exchange, OPENAI, reply, this.logger, async (signal) => {
        let call: MediaCall;
        let answer: UpstreamAnswer;
        try {
          const policy = this.policy.current;
          exchange.caller = authenticate(policy, extractApiKey(request.headers, request.query as Record<string, unknown>), request.ip);
          const input: MediaInput = multipart
            ? await MultipartUpload.receive(request, this.uploadLimitBytes, (upload) => (spooled.upload = upload)).then((upload) => ({ body: upload.fields(), upload }))
            : { body: jsonObjectBody(request.body), upload: null };
          const prepared = await prepare(input, exchange);
          call = prepared;
          exchange.stream = prepared.stream;
          exchange.request = { model: prepared.model, system: [], messages: [], stream: prepared.stream };
          assertModelAllowed(exchange.caller, prepared.model);
          exchange.debug = wantsRouteDebug(exchange.caller, request.headers);
          const route = this.planner.plan(policy, exchange.caller, prepared.model, request.headers, input.body);
          await this.runner.admit(exchange, reply, () => prepared.worstCase(policy.model(prepared.model), exchange.caller!.groupRatioPpm));
          answer = await this.upstream.dispatch(
            exchange,
            request,
            route.candidates,
            signal,
            prepared.plan,
            () => new GatewayError('unsupported', `/v1/${endpoint} is not served by any channel of ${prepared.model}`, { param: 'model' }),
            route,
          );
        } finally {
          // An upstream that answered has read the whole upload and no other attempt follows; a refusal needs it no more.
          await spooled.upload?.dispose();
        }
        this.runner.routeHeader(exchange, reply);
        await call.respond(answer);
      });
    } finally {
      await spooled.upload?.dispose();
    }
  }

  /**
   * Images: billed per image (the answer's `data` entries, or the streamed
   * `*.completed` events), or by the tokens gpt-image models report. Edits
   * upload `image` (or `image[]`) files and an optional `mask`.
   */
  private imagesCall(endpoint: 'images/generations' | 'images/edits', input: MediaInput, exchange: Exchange, reply: FastifyReply): MediaCall {
    const fields = input.body;
    const model = requiredText(fields, 'model');
    const prompt = requiredText(fields, 'prompt');
    const images = optionalInteger(fields, 'n', 1, 10) ?? 1;
    const stream = optionalBoolean(fields, 'stream') ?? false;
    const upload = input.upload;
    const inputImages = upload?.files('image', 'image[]').length ?? 0;
    if (upload && inputImages === 0) throw new GatewayError('invalid_request', 'image is required: upload at least one image file', { param: 'image' });
    return {
      model,
      stream,
      worstCase: (priced, ratio) => imagesWorstCaseMicros(prompt, images, inputImages, priced, ratio),
      plan: (candidate, protocol) => (protocol === 'openai-chat' ? openAiPlan(endpoint, fields, upload, candidate) : null),
      respond: async (answer) => {
        if (stream) {
          let completed = 0;
          let tokens: Usage | null = null;
          await pipeAnswer(exchange, answer, reply, (data) => {
            const event = parseObject(data);
            if (typeof event?.type !== 'string' || !event.type.endsWith('.completed')) return;
            completed += 1;
            tokens = addUsage(tokens, mediaTokens(event.usage));
          });
          exchange.units = { images: completed };
          if (tokens) exchange.usage = tokens;
          return;
        }
        const text = await readAnswer(exchange, answer);
        const usage = imagesAnswerUsage(text);
        exchange.units = { images: usage.images };
        if (usage.tokens) exchange.usage = usage.tokens;
        await reply.status(200).header('content-type', 'application/json').send(text);
      },
    };
  }

  /** Speech: the audio (or its SSE stream) forwarded as it arrives; billed by the input's characters. */
  private speechCall(input: MediaInput, exchange: Exchange, reply: FastifyReply): MediaCall {
    const fields = input.body;
    const model = requiredText(fields, 'model');
    const characters = [...requiredText(fields, 'input')].length;
    if (fields.voice === undefined || fields.voice === null || fields.voice === '') throw new GatewayError('invalid_request', 'voice is required', { param: 'voice' });
    return {
      model,
      stream: true,
      worstCase: (priced, ratio) => speechCostMicros(characters, priced, ratio),
      plan: (candidate, protocol) => (protocol === 'openai-chat' ? openAiPlan('audio/speech', fields, null, candidate) : null),
      respond: async (answer) => {
        exchange.units = { characters };
        await pipeAnswer(exchange, answer, reply);
      },
    };
  }

  /**
   * Transcriptions and translations: the upload forwarded in the client's
   * response_format. Billed by the tokens or the duration the upstream
   * reports (json, verbose_json, streamed events); when it reports neither
   * (text, srt, vtt), by the duration read from the upload's headers, else
   * estimated from its size — flagged as estimated.
   */
  private async transcriptionCall(endpoint: 'audio/transcriptions' | 'audio/translations', input: MediaInput, exchange: Exchange, reply: FastifyReply): Promise<MediaCall> {
    const upload = input.upload!;
    const fields = input.body;
    const files = upload.files('file');
    if (files.length === 0) throw new GatewayError('invalid_request', 'file is required: upload the audio as the file field', { param: 'file' });
    if (files.length > 1) throw new GatewayError('invalid_request', 'upload exactly one file', { param: 'file' });
    const model = requiredText(fields, 'model');
    const stream = optionalBoolean(fields, 'stream') ?? false;
    const file = files[0];
    const probedMs = await probeAudioDurationMs(file.path);
    return {
      model,
      stream,
      worstCase: (priced, ratio) => transcriptionWorstCaseMicros(probedMs, file.bytes, typeof fields.prompt === 'string' ? fields.prompt : '', priced, ratio),
      plan: (candidate, protocol) => (protocol === 'openai-chat' ? openAiPlan(endpoint, fields, upload, candidate) : null),
      respond: async (answer) => {
        if (stream) {
          let reported: ReturnType<typeof transcriptionUsage> = { tokens: null, audioMs: null };
          await pipeAnswer(exchange, answer, reply, (data) => {
            const event = parseObject(data);
            if (event?.usage) reported = transcriptionUsage(event);
          });
          meterAudio(exchange, reported, probedMs, file.bytes);
          return;
        }
        const text = await readAnswer(exchange, answer);
        meterAudio(exchange, transcriptionUsage(parseObject(text)), probedMs, file.bytes);
        await reply.status(200).header('content-type', answerContentType(answer, 'application/json')).send(text);
      },
    };
  }

  /** Moderations: free unless the model has an input price, then billed by the input's estimated tokens; always metered. */
  private moderationsCall(input: MediaInput, exchange: Exchange, reply: FastifyReply): MediaCall {
    const fields = input.body;
    const model = fields.model === undefined ? DEFAULT_MODERATION_MODEL : requiredText(fields, 'model');
    const text = fields.input;
    if (!(typeof text === 'string' && text !== '') && !(Array.isArray(text) && text.length > 0)) {
      throw new GatewayError('invalid_request', 'input is required: a string, an array of strings, or an array of content parts', { param: 'input' });
    }
    return {
      model,
      stream: false,
      worstCase: (priced, ratio) => moderationWorstCaseMicros(text, priced, ratio),
      plan: (candidate, protocol) => (protocol === 'openai-chat' ? openAiPlan('moderations', fields, null, candidate) : null),
      respond: async (answer) => {
        const body = await readAnswer(exchange, answer);
        const inputTokens = estimateTextTokens(moderationText(text));
        if (inputTokens > 0) {
          exchange.usage = { ...EMPTY_USAGE, inputTokens };
          exchange.units = { estimated: true };
        }
        await reply.status(200).header('content-type', 'application/json').send(body);
      },
    };
  }

  /** Rerank in Cohere's or Jina's shape, to whichever rerank API the channel has; answered in Cohere's v2 shape, billed per search unit. */
  private rerankCall(input: MediaInput, exchange: Exchange, reply: FastifyReply): MediaCall {
    const rerank = decodeRerankRequest(input.body);
    return {
      model: rerank.model,
      stream: false,
      worstCase: (priced, ratio) => rerankWorstCaseMicros(Math.ceil(rerank.documents.length / 100), priced, ratio),
      plan: (candidate) => {
        const target = rerankDialectFor(candidate.channel.type);
        return target ? { path: target.path, body: encodeRerankRequest(target.dialect, rerank, candidate.upstreamModel) } : null;
      },
      respond: async (answer) => {
        const upstream = parseObject(await readAnswer(exchange, answer));
        if (!upstream) throw new GatewayError('upstream', 'the upstream rerank answer is not a JSON object');
        const { dialect } = rerankDialectFor(exchange.candidate!.channel.type)!;
        const { body, searchUnits } = encodeRerankResponse(dialect, upstream, rerank, exchange.requestId);
        exchange.units = { searchUnits };
        await reply.status(200).header('content-type', 'application/json').send(body);
      },
    };
  }
}

/** The client's request for an OpenAI-protocol channel at the same path, with the upstream model: the JSON body, or the upload rebuilt as a form. */
function openAiPlan(endpoint: MediaEndpoint, fields: Record<string, unknown>, upload: MultipartUpload | null, candidate: Candidate): UpstreamPlan {
  const path = `/${endpoint}`;
  if (upload) return { path, body: {}, form: upload.toForm({ model: candidate.upstreamModel }) };
  return { path, body: { ...fields, model: candidate.upstreamModel } };
}

/** A transcription's bill: reported tokens, else the reported duration, else the upload's (read or estimated; flagged). */
function meterAudio(exchange: Exchange, reported: ReturnType<typeof transcriptionUsage>, probedMs: number | null, bytes: number): void {
  if (reported.tokens) {
    exchange.usage = reported.tokens;
    exchange.units = { audioMs: reported.audioMs ?? probedMs ?? 0 };
  } else if (reported.audioMs !== null) {
    exchange.units = { audioMs: reported.audioMs };
  } else {
    exchange.units = { audioMs: probedMs ?? audioMsFromSize(bytes), estimated: true };
  }
}

function addUsage(total: Usage | null, more: Usage | null): Usage | null {
  if (!more) return total;
  if (!total) return more;
  return { ...total, inputTokens: total.inputTokens + more.inputTokens, outputTokens: total.outputTokens + more.outputTokens };
}

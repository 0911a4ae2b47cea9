import { ACCESS_METADATA, AccessRule } from '@aigw/contracts';
import { Controller, Get, HttpCode, Param, Post, Req, Res, SetMetadata } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { FastifyReply, FastifyRequest } from 'fastify';
import { AuxiliaryRelayService } from './auxiliary-relay.service';
import { RelayService } from './relay.service';

/** Data-plane routes authenticate gateway API tokens themselves (in the client protocol's error shape). */
export const ApiTokenAccess = () => SetMetadata(ACCESS_METADATA, { public: false, apiToken: true } satisfies AccessRule);

const GEMINI_TARGET = /^(.+):(generateContent|streamGenerateContent|countTokens)$/;

/**
 * The client surfaces: OpenAI Chat and Responses, Anthropic Messages, Gemini
 * generateContent. Query strings (Claude Code's `?beta=true`, Gemini's
 * `?alt=sse&key=`) never affect routing.
 */
@ApiExcludeController()
@ApiTokenAccess()
@Controller()
export class RelayController {
  constructor(
    private readonly relay: RelayService,
    private readonly auxiliary: AuxiliaryRelayService,
  ) {}

  @Post('v1/chat/completions')
  @HttpCode(200)
  chatCompletions(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay.handle('openai-chat', request, reply);
  }

  @Post('v1/responses')
  @HttpCode(200)
  responses(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay.handle('openai-responses', request, reply);
  }

  @Post('v1/messages')
  @HttpCode(200)
  messages(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.relay.handle('anthropic', request, reply);
  }

  @Post('v1/messages/count_tokens')
  @HttpCode(200)
  countTokens(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.auxiliary.countTokens('anthropic', request, reply);
  }

  @Post('v1/embeddings')
  @HttpCode(200)
  embeddings(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.auxiliary.openAiOnly('embeddings', request, reply);
  }

  @Post('v1/completions')
  @HttpCode(200)
  completions(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.auxiliary.openAiOnly('completions', request, reply);
  }

  /** `@google/genai` uses /v1beta/models/{model}:generateContent; some clients /v1/models/… */
  @Post('v1beta/models/:target')
  @HttpCode(200)
  geminiBeta(@Param('target') target: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.gemini(target, request, reply);
  }

  @Post('v1/models/:target')
  @HttpCode(200)
  geminiV1(@Param('target') target: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.gemini(target, request, reply);
  }

  @Get('v1/models')
  models(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.auxiliary.listModels(request, reply);
  }

  @Get('v1/models/:id')
  model(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.auxiliary.listModels(request, reply, id);
  }

  @Get('v1beta/models')
  geminiModels(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.auxiliary.listModels(request, reply);
  }

  @Get('v1beta/models/:id')
  geminiModel(@Param('id') id: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    this.auxiliary.listModels(request, reply, id);
  }

  private gemini(target: string, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const match = GEMINI_TARGET.exec(decodeURIComponent(target));
    if (match?.[2] === 'countTokens') return this.auxiliary.countTokens('gemini', request, reply, { model: match[1] });
    return this.relay.handle('gemini', request, reply, {
      model: match?.[1] ?? target,
      stream: match?.[2] === 'streamGenerateContent',
    });
  }
}

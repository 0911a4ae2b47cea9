import { microsToUsd } from '@aigw/contracts';
import {
  AgentEntity,
  ApiTokenEntity,
  ChannelEntity,
  EnrollmentTokenEntity,
  GroupEntity,
  ModelEntity,
  ModelRouteEntity,
  UserEntity,
} from '@aigw/persistence';
import { AgentResponseDto, EnrollmentTokenResponseDto } from '../dtos/agent.dto';
import { ChannelResponseDto } from '../dtos/channel.dto';
import { GroupResponseDto } from '../dtos/group.dto';
import { ModelResponseDto } from '../dtos/model.dto';
import { RouteResponseDto } from '../dtos/route.dto';
import { TokenResponseDto } from '../dtos/token.dto';
import { UserResponseDto } from '../dtos/user.dto';

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export function toGroupResponse(group: GroupEntity): GroupResponseDto {
  return {
    id: group.id,
    name: group.name,
    ratio: group.ratioPpm / 1_000_000,
    description: group.description,
    models: group.models,
    channels: group.channels,
    limits: group.limits ?? {},
    created_at: iso(group.createdAt)!,
    updated_at: iso(group.updatedAt)!,
  };
}

export function toUserResponse(user: UserEntity): UserResponseDto {
  return {
    id: user.id,
    username: user.username,
    role: user.role,
    status: user.status,
    group_id: user.groupId,
    balance_micros: user.balanceMicros,
    balance_usd: microsToUsd(user.balanceMicros),
    limits: user.limits ?? {},
    created_at: iso(user.createdAt)!,
    updated_at: iso(user.updatedAt)!,
  };
}

export function toTokenResponse(token: ApiTokenEntity): TokenResponseDto {
  return {
    id: token.id,
    name: token.name,
    key_hint: token.keyHint,
    user_id: token.userId,
    status: token.status,
    quota_micros: token.quotaMicros,
    used_micros: token.usedMicros,
    models: token.models,
    ip_allowlist: token.ipAllowlist,
    channels: token.channels,
    debug: token.debug,
    limits: token.limits ?? {},
    expires_at: iso(token.expiresAt),
    last_used_at: iso(token.lastUsedAt),
    created_at: iso(token.createdAt)!,
  };
}

export function toChannelResponse(channel: ChannelEntity): ChannelResponseDto {
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type,
    base_url: channel.baseUrl,
    key_hint: channel.keyHint,
    models: channel.models,
    model_mapping: channel.modelMapping,
    headers: channel.headerNames,
    priority: channel.priority,
    weight: channel.weight,
    region: channel.region,
    status: channel.status,
    status_reason: channel.statusReason,
    settings: channel.settings ?? {},
    created_at: iso(channel.createdAt)!,
    updated_at: iso(channel.updatedAt)!,
  };
}

export function toModelResponse(model: ModelEntity): ModelResponseDto {
  return {
    id: model.id,
    name: model.name,
    price: {
      input_micros: model.inputPriceMicros,
      output_micros: model.outputPriceMicros,
      cached_input_micros: model.cachedInputPriceMicros,
      cache_write_micros: model.cacheWritePriceMicros,
      image_micros: model.imagePriceMicros,
      audio_second_micros: model.audioSecondPriceMicros,
      character_micros: model.characterPriceMicros,
      search_unit_micros: model.searchUnitPriceMicros,
    },
    description: model.description,
    routing: model.routing ?? {},
    created_at: iso(model.createdAt)!,
    updated_at: iso(model.updatedAt)!,
  };
}

export function toRouteResponse(route: ModelRouteEntity): RouteResponseDto {
  return {
    id: route.id,
    model: route.model,
    channel_id: route.channelId,
    upstream_model: route.upstreamModel,
    priority: route.priority,
    weight: route.weight,
    enabled: route.enabled,
    created_at: iso(route.createdAt)!,
    updated_at: iso(route.updatedAt)!,
  };
}

/** An agent is online while its heartbeats arrive (three missed intervals: offline). */
export function toAgentResponse(agent: AgentEntity, sync: { head: number; heartbeatMs: number; now?: number }): AgentResponseDto {
  const now = sync.now ?? Date.now();
  const online = agent.status === 'active' && agent.lastSeenAt !== null && now - agent.lastSeenAt.getTime() <= sync.heartbeatMs * 3;
  return {
    id: agent.id,
    name: agent.name,
    region: agent.region,
    status: agent.status,
    version: agent.version,
    applied_policy_version: agent.appliedPolicyVersion,
    lag: online ? Math.max(0, sync.head - agent.appliedPolicyVersion) : null,
    online,
    last_seen_at: iso(agent.lastSeenAt),
    connected_at: iso(agent.connectedAt),
    revoked_at: iso(agent.revokedAt),
    stats: (agent.stats ?? {}) as Record<string, number | null>,
    created_at: iso(agent.createdAt)!,
  };
}

export function toEnrollmentTokenResponse(token: EnrollmentTokenEntity): EnrollmentTokenResponseDto {
  return {
    id: token.id,
    name: token.name,
    token_hint: token.tokenHint,
    region: token.region,
    max_uses: token.maxUses,
    uses: token.uses,
    expires_at: iso(token.expiresAt),
    revoked_at: iso(token.revokedAt),
    created_at: iso(token.createdAt)!,
  };
}

import { MigrationInterface } from 'typeorm';
import { InitialSchema1795594581967 } from './1795594581967-InitialSchema';
import { RoutingPolicy1795604494671 } from './1795604494671-RoutingPolicy';
import { RateLimits1795606744977 } from './1795606744977-RateLimits';
import { RollupDetails1795609232789 } from './1795609232789-RollupDetails';
import { AgentSync1795613260409 } from './1795613260409-AgentSync';
import { QuotaLeases1795614525418 } from './1795614525418-QuotaLeases';
import { ClientRequestId1795617608894 } from './1795617608894-ClientRequestId';
import { PartialClientRequestIndex1795621102566 } from './1795621102566-PartialClientRequestIndex';
import { MediaPricing1796645438312 } from './1796645438312-MediaPricing';

/** Every migration, oldest first. Merged migrations are never edited. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [InitialSchema1795594581967, RoutingPolicy1795604494671, RateLimits1795606744977, RollupDetails1795609232789, AgentSync1795613260409, QuotaLeases1795614525418, ClientRequestId1795617608894, PartialClientRequestIndex1795621102566, MediaPricing1796645438312];

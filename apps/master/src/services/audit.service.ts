import { AuditLogEntity } from '@aigw/persistence';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Principal } from '../auth/principal';

const SECRET_FIELD = /(password|secret|key|token|credential|headers)/i;
const SAFE_FIELD = /^(key_hint|token_hint|key_id|models|token_id|user_id|channel_id|id)$/;

export type AuditActor = Pick<Principal, 'id' | 'username'> | { id: null; username: 'bootstrap' | 'system' };

/** Appends admin changes to the audit log; secret-looking fields are replaced, never stored. */
@Injectable()
export class AuditService {
  constructor(@InjectRepository(AuditLogEntity) private readonly audit: Repository<AuditLogEntity>) {}

  async record(
    actor: AuditActor,
    action: string,
    entity: string,
    entityId: string | null,
    changes: Record<string, unknown> = {},
    manager?: EntityManager,
  ): Promise<void> {
    const repository = manager ? manager.getRepository(AuditLogEntity) : this.audit;
    await repository.insert({
      actorId: actor.id,
      actorName: actor.username,
      action,
      entity,
      entityId,
      changes: redact(changes) as AuditLogEntity['changes'] & object,
      ip: null,
    });
  }
}

function redact(changes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(changes).map(([field, value]) => [
      field,
      SECRET_FIELD.test(field) && !SAFE_FIELD.test(field) ? '[redacted]' : value,
    ]),
  );
}

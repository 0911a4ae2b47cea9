import { MigrationInterface } from 'typeorm';
import { InitialSchema1795594581967 } from './1795594581967-InitialSchema';

/** Every migration, oldest first. Merged migrations are never edited. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [InitialSchema1795594581967];

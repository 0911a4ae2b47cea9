export * from './database';
export * from './embedded-postgres';
export * from './entities';
export * from './schema-drift.util';
export * from './snake-naming.strategy';
export * from './query-rows.util';

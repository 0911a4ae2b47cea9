/** Nest injection tokens of the remote agent's sync wiring. */
export const AGENT_IDENTITY = Symbol('AGENT_IDENTITY');
export const USAGE_SPOOL = Symbol('USAGE_SPOOL');

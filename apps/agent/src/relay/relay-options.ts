/**
 * Injection token: whether the relay meters (usage records, quota
 * reservations, rate limits). Always true in production; the config's
 * `relay_metering: false` exists to measure what metering costs.
 */
export const RELAY_METERING = Symbol('RELAY_METERING');

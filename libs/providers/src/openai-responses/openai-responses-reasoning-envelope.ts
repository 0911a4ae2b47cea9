import { ProviderFamily } from '../ir';

/**
 * A Responses client keeps reasoning state only in reasoning items, and the
 * only opaque field it returns unchanged is `encrypted_content`. When the
 * answer came from another family (Anthropic thinking signatures, redacted
 * thinking, Gemini thought signatures), the gateway packs that family's opaque
 * values into `encrypted_content` behind a prefix OpenAI never uses (its
 * values are Fernet tokens, `gAAAAA…`), so the next turn can give them back
 * to the family that issued them. Items carrying an envelope have
 * gateway-generated ids that must never be sent to OpenAI.
 */
export const ENVELOPE_PREFIX = 'aigw.v1.';

export interface ReasoningEnvelope {
  /** The family that produced the reasoning (absent: unknown, e.g. an OpenAI-compatible server's reasoning text). */
  provider?: ProviderFamily;
  /** Anthropic thinking signature or Gemini thought signature of the reasoning part. */
  signature?: string;
  /** Anthropic redacted_thinking data. */
  redactedData?: string;
  /** Gemini thought signature of the function call that follows this item. */
  toolCallSignature?: string;
}

interface WireEnvelope {
  p?: ProviderFamily;
  s?: string;
  r?: string;
  t?: string;
}

const FAMILIES: readonly ProviderFamily[] = ['openai', 'anthropic', 'gemini'];

export function encodeReasoningEnvelope(envelope: ReasoningEnvelope): string {
  const wire: WireEnvelope = {};
  if (envelope.provider) wire.p = envelope.provider;
  if (envelope.signature) wire.s = envelope.signature;
  if (envelope.redactedData) wire.r = envelope.redactedData;
  if (envelope.toolCallSignature) wire.t = envelope.toolCallSignature;
  return ENVELOPE_PREFIX + Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
}

/** The envelope in an `encrypted_content` value, or undefined when it is OpenAI's own (or malformed). */
export function decodeReasoningEnvelope(value: string | null | undefined): ReasoningEnvelope | undefined {
  if (!value?.startsWith(ENVELOPE_PREFIX)) return undefined;
  try {
    const wire = JSON.parse(Buffer.from(value.slice(ENVELOPE_PREFIX.length), 'base64url').toString('utf8')) as WireEnvelope;
    if (!wire || typeof wire !== 'object') return undefined;
    const text = (field: unknown) => (typeof field === 'string' && field ? field : undefined);
    return {
      provider: FAMILIES.includes(wire.p as ProviderFamily) ? wire.p : undefined,
      signature: text(wire.s),
      redactedData: text(wire.r),
      toolCallSignature: text(wire.t),
    };
  } catch {
    return undefined;
  }
}

import { ChatRequest, GatewayError, ProtocolCodec } from '@aigw/providers';

/** What the route adds to the body (Gemini puts model and streaming in the URL). */
export interface RouteContext {
  model?: string;
  stream?: boolean;
}

/**
 * Decodes the client body. A request valid in its protocol but beyond the
 * canonical model (a provider's built-in tools, say) can still be forwarded
 * untouched to a channel of the same protocol: then only model and stream are
 * read, and the untranslatable error is kept for the other channels.
 */
export function decodeForRelay(
  client: ProtocolCodec,
  body: unknown,
  route: RouteContext,
): { chat: ChatRequest; untranslatable: GatewayError | null } {
  try {
    return { chat: client.decodeRequest(body, route), untranslatable: null };
  } catch (error) {
    if (!(error instanceof GatewayError) || error.kind !== 'unsupported') throw error;
    const fields = (body ?? {}) as Record<string, unknown>;
    const model = route.model ?? fields.model;
    if (typeof model !== 'string' || model.length === 0) throw error;
    const stream = route.stream ?? fields.stream === true;
    const streamOptions = fields.stream_options as { include_usage?: unknown } | undefined;
    const generation = (fields.generationConfig ?? {}) as Record<string, unknown>;
    // What the quota guard needs: the output cap and the number of choices, as the client sent them.
    const maxOutputTokens = [fields.max_completion_tokens, fields.max_tokens, fields.max_output_tokens, generation.maxOutputTokens].find(
      (value) => value !== undefined && value !== null,
    );
    const choices = fields.n ?? generation.candidateCount;
    return {
      chat: {
        model,
        system: [],
        messages: [],
        stream,
        streamUsage: streamOptions?.include_usage === true,
        ...(maxOutputTokens !== undefined ? { maxOutputTokens: maxOutputTokens as number } : {}),
        ...(choices !== undefined && choices !== null ? { n: choices as number } : {}),
      },
      untranslatable: error,
    };
  }
}

/** Deeper than any real request; deeper bodies would only exercise recursion limits. */
const MAX_BODY_DEPTH = 64;

/** Refuses absurdly nested bodies up front (iteratively: the check itself must not recurse). */
export function assertShallow(body: unknown): void {
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_BODY_DEPTH) throw new GatewayError('invalid_request', `the request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}


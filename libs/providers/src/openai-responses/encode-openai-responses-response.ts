import { ChatResponse, ClientResponseContext, Usage } from '../ir';
import { encodeOutputItems } from './encode-openai-responses-output';
import { errorTypeAndCode } from './openai-responses-errors';
import { toResponseId } from './openai-responses-ids';
import { encodeResponsesStatus } from './map-openai-responses-finish-reason';
import { encodeResponsesUsage } from './map-openai-responses-usage';
import { ResponsesOutputItem, ResponsesResponse } from './openai-responses.types';

/** ChatResponse → the JSON a Responses client gets from POST /v1/responses. */
export function encodeOpenAiResponsesResponse(response: ChatResponse, context: ClientResponseContext): ResponsesResponse {
  const output = encodeOutputItems(response.content);
  const { status, incompleteReason } = encodeResponsesStatus(response.finishReason);
  if (status === 'incomplete') markLastItemIncomplete(output);
  return buildResponseObject({
    id: toResponseId(response.id),
    createdAt: response.created,
    model: context.model,
    status,
    incompleteReason,
    output,
    usage: response.usage,
  });
}

export interface ResponseObjectFields {
  id: string;
  createdAt: number;
  model: string;
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
  incompleteReason?: string;
  output: ResponsesOutputItem[];
  usage?: Usage;
}

/**
 * The response object, with the fields the spec marks required. The
 * gateway does not keep the request beside the answer, so request echoes
 * (tools, tool_choice, sampling) carry neutral values.
 */
export function buildResponseObject(fields: ResponseObjectFields): ResponsesResponse {
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    error: fields.status === 'failed' ? { code: errorTypeAndCode('upstream').type, message: 'The model failed to finish its answer.' } : null,
    incomplete_details: fields.incompleteReason ? { reason: fields.incompleteReason } : null,
    instructions: null,
    max_output_tokens: null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    // OpenAI sends `usage: null` until the end, but the published schema has no null: leave it out.
    ...(fields.usage ? { usage: encodeResponsesUsage(fields.usage) } : {}),
    metadata: {},
  };
}

function markLastItemIncomplete(output: ResponsesOutputItem[]): void {
  const last = output.at(-1);
  if (last && last.type !== 'reasoning') last.status = 'incomplete';
}

import { Protocol } from '@aigw/providers';
import { CLIENTS, FAMILIES, ReplayResult, upstreamProtocolOf } from './replay-matrix';
import type { Feature } from './sdk-features';

/**
 * Renders docs/protocol-matrix.md from a run of the replay matrix spec
 * (WRITE_MATRIX=1); never written by `npm test`.
 */
export interface MatrixRun {
  replay: ReplayResult[];
  /** SDK feature test name → passed. */
  sdk: Map<string, boolean>;
  refused: Record<string, [kind: string, param: string, why: string]>;
  passthroughOnly: Record<string, [item: string, why: string]>;
  /** Fixture oddities handled on purpose, key → what the spec asserts instead. */
  oddities: Record<string, string>;
  describeName(client: Protocol, upstream: Protocol, stream: boolean): string;
  sdkTestName(feature: Feature, client: Protocol, upstream: Protocol, stream: boolean): string;
}

const SPEC = 'test/relay/replay-matrix.e2e-spec.ts';
const TEXT_SPEC = 'test/relay/sdk-text-matrix.e2e-spec.ts';
const UPSTREAMS: Protocol[] = ['openai-chat', 'openai-responses', 'anthropic', 'gemini'];
const FEATURES: Array<Feature | 'text'> = ['text', 'tools', 'images', 'reasoning'];

function served(client: Protocol, upstream: Protocol): boolean {
  return FAMILIES.some((family) => upstreamProtocolOf(client, family) === upstream);
}

function counts(results: ReplayResult[]): string {
  const pass = results.filter((result) => result.outcome === 'pass').length;
  const refused = results.filter((result) => result.outcome === 'refused').length;
  const fail = results.filter((result) => result.outcome === 'fail').length;
  return [`${pass} ✓`, refused ? `${refused} refused` : '', fail ? `**${fail} ✗**` : ''].filter(Boolean).join(' · ') || '0';
}

export function renderProtocolMatrix(run: MatrixRun): string {
  const lines: string[] = [];
  const of = (client: Protocol, upstream: Protocol, stream: boolean) =>
    run.replay.filter((result) => result.cell.client === client && result.cell.upstream === upstream && result.cell.stream === stream);
  const header = `| client ↓ · upstream → | ${UPSTREAMS.join(' | ')} |`;
  const rule = `| --- | ${UPSTREAMS.map(() => '---').join(' | ')} |`;
  const total = run.replay.length;
  const totals = counts(run.replay);

  lines.push(
    '# Protocol matrix',
    '',
    `Generated from a run of \`${SPEC}\`; do not edit by hand. Regenerate with`,
    '',
    '```sh',
    `WRITE_MATRIX=1 npx vitest run --project relay ${SPEC}`,
    '```',
    '',
    '(`npm test` runs the same spec without writing anything.)',
    '',
    'Rows are the protocol the client speaks, columns the protocol the gateway speaks upstream. An OpenAI',
    'account is reached over Responses by Responses clients and over Chat Completions by everyone else',
    '(`apps/agent/src/relay/upstream-target.util.ts`), hence the empty cells. Same-protocol cells are',
    'passthrough (the client body with the model swapped); the others translate through the canonical IR.',
    '',
    '## Replayed captures',
    '',
    `Every capture case of \`../shared/fixtures\` with a request for the client and a (streamed) answer for the upstream:`,
    'the client body goes through the gateway, the fake answers with the upstream capture of the same case, and the',
    "answer, read with the client's codec, must carry the capture's text, tool calls (arguments compared as parsed JSON),",
    'reasoning text, finish reason and usage (input, output, cached input); translated upstream bodies must satisfy the',
    "published schema. *Refused*: the client protocol's own 400, deliberately raised by a codec, nothing sent upstream",
    `(table below). First turns and followups (\`case:followup\`, the multi-turn history) both count: ${total} exchanges, ${totals}.`,
    '',
    header,
    rule,
  );
  for (const client of CLIENTS) {
    const cells = UPSTREAMS.map((upstream) => {
      if (!served(client, upstream)) return '—';
      return [false, true].map((stream) => `${stream ? 'stream' : 'JSON'}: ${counts(of(client, upstream, stream))}`).join('<br>');
    });
    lines.push(`| **${client}** | ${cells.join(' | ')} |`);
  }
  lines.push('', `Test names: \`${SPEC}\` › \`replay matrix: captured requests × upstream captures\` › \`<client> → <upstream> (JSON|stream)\` › \`<case>\`.`);

  lines.push(
    '',
    '## Features',
    '',
    'Per cell and mode, the test that covers each feature with the official SDK (openai v7, @anthropic-ai/sdk, @google/genai),',
    'and the replayed capture cases exercising it (tools: tool definitions, calls or results; images: image input;',
    'reasoning: a reasoning request, reasoning history or reasoning text in the answer).',
    '',
    '- **text**: `' + TEXT_SPEC + '` › `official SDKs × upstream families × streaming: text answers` › `<client> client → <upstream> upstream, JSON|streamed` (simpleRequest).',
    '- **tools / images / reasoning**: `' + SPEC + '` › `official SDKs × features` › `<feature>: <client> client → <upstream> upstream, JSON|streamed`',
    '  (toolCallRequest: definitions and forced choice reach the upstream in its terms, the call comes back with its streamed',
    '  arguments assembled; multimodalRequest: the image reaches the upstream in its format; reasoningRequest with the',
    "  client's reasoning switch: the upstream is asked to reason, and the reasoning text comes back where the client protocol has a place for it).",
    '',
  );
  for (const stream of [false, true]) {
    lines.push(`### ${stream ? 'Streamed' : 'JSON'}`, '', header, rule);
    for (const client of CLIENTS) {
      const cells = UPSTREAMS.map((upstream) => {
        if (!served(client, upstream)) return '—';
        const replayed = of(client, upstream, stream);
        return FEATURES.map((feature) => {
          const cases = replayed.filter((result) => result.features.has(feature));
          const sdk =
            feature === 'text'
              ? `sdk-text-matrix › \`${client} client → ${upstream} upstream, ${stream ? 'streamed' : 'JSON'}\``
              : `${run.sdk.get(run.sdkTestName(feature, client, upstream, stream)) ? '✓' : '**✗**'} \`${run.sdkTestName(feature, client, upstream, stream)}\``;
          return `**${feature}**: ${sdk}; replay ${counts(cases)}`;
        }).join('<br>');
      });
      lines.push(`| **${client}** | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }

  lines.push('## Refused on purpose', '', 'Frozen in the spec (`REFUSED`); a change in what translates shows up as a failing test.', '', '| client | upstream | case | modes | param | why |', '| --- | --- | --- | --- | --- | --- |');
  const refusedRows = new Map<string, { modes: string[]; result: ReplayResult }>();
  for (const result of run.replay.filter((entry) => entry.outcome === 'refused')) {
    const key = `${result.cell.client} → ${result.cell.upstream} ${result.cell.label}`;
    const row = refusedRows.get(key) ?? { modes: [], result };
    row.modes.push(result.cell.stream ? 'stream' : 'JSON');
    refusedRows.set(key, row);
  }
  for (const [key, { modes, result }] of refusedRows) {
    const [, param, why] = run.refused[key];
    lines.push(`| ${result.cell.client} | ${result.cell.upstream} | ${result.cell.label} | ${modes.join(', ')} | \`${param}\` | ${why} |`);
  }

  lines.push('', '## Fixture oddities', '', 'Handled explicitly in the spec rather than skipped:', '');
  for (const [key, note] of Object.entries(run.oddities)) lines.push(`- \`${key}\`: ${note}`);

  const failing = run.replay.filter((entry) => entry.outcome === 'fail');
  lines.push('', '## Failing', '', 'Tests that assert the right behaviour and fail on the code as it is (regenerate this page once fixed).', '');
  if (failing.length === 0) lines.push('None.');
  else {
    lines.push('| client | upstream | case | mode | note |', '| --- | --- | --- | --- | --- |');
    for (const result of failing) {
      const key = `${result.cell.client} → ${result.cell.upstream} ${result.cell.label}`;
      const only = run.passthroughOnly[key];
      const note = only ? `answer holds \`${only[0]}\` (${only[1]}): passthrough must forward the upstream bytes; the relay decodes them and fails` : 'see the test output';
      lines.push(`| ${result.cell.client} | ${result.cell.upstream} | ${result.cell.label} | ${result.cell.stream ? 'stream' : 'JSON'} | ${note} |`);
    }
  }
  const sdkFailing = [...run.sdk.entries()].filter(([, passed]) => !passed).map(([name]) => name);
  if (sdkFailing.length > 0) lines.push('', 'SDK feature tests failing:', '', ...sdkFailing.map((name) => `- \`${name}\``));
  lines.push('');
  return lines.join('\n');
}

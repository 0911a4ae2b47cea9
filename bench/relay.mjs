#!/usr/bin/env node
// Data-plane (relay) benchmark: the built gateway against a bare Node
// pass-through proxy and the Portkey gateway, all in front of one mock
// upstream provider on 127.0.0.1.
//
// Targets, each its own child process, measured one after another:
//   a. mock    the mock upstream directly (node:http; OpenAI Chat and Anthropic Messages)
//   b. bare    node:http server + undici.request (keep-alive Agent) piping to the mock: the floor
//   c. ours    dist/apps/master/src/main.js (auth, routing, metering, JSON handling), on
//              Postgres + Redis when reachable on loopback, else embedded defaults
//   d. portkey @portkey-ai/gateway build/start-server.js --headless (x-portkey-custom-host → mock)
//   e. agent   a remote agent, dist/apps/agent/src/main.js, enrolled with a master started as
//              for c (same bootstrap, same backends; its own process group) and syncing its
//              policy over WebSocket; the load goes to the agent's port. Per row: CPU and RSS of
//              the agent process; "pg+redis" also counts the master and its settlement worker
//              (every process of the master's group). Informational: no acceptance figure,
//              and its errors or a failed start are reported without failing the run.
// Scenarios (autocannon in this process; every row on a freshly started server,
// warm-up then a measured window), by id: chat, non-streaming chat, and stream,
// streaming chat, on a, b, c, d; translated, OpenAI client → Anthropic upstream
// non-streaming, on c; all at 16 and 64 connections; weighted, non-streaming chat to
// a model served by 4 channels of one priority with weights 1:2:3:4 (all on the mock,
// each under its own path prefix /c1../c4 that the mock counts), on c at the highest
// connection count only, against c's 1-channel chat row, with the share each channel
// got. failover (c only; sequential, like the TTFB figure): non-streaming requests on
// one keep-alive connection, alternating between the direct model and a model whose
// first channel (base URL under the mock's /fail prefix, which answers every request
// 500) fails before its second channel (the mock) answers: the added latency of one
// failed attempt. unmetered (c only, highest connection count): the chat row on a gateway
// with relay_metering: false, against which the metered chat row must keep ≥ 90 %.
// On e: chat and stream (16 and 64 connections); agent-unmetered (highest connection count):
// the chat row on an agent with relay_metering: false (its master metered as ever);
// agent-deferred (highest connection count): the chat row on a metered agent whose master
// process group (master + settlement worker) is SIGSTOPped right after the warm-up and
// SIGCONTinued after the window, so that the window measures what metering and quota cost
// the agent itself (spool appends with group-committed fsync, reservations against quota
// leases held in memory) with settlement deferred. The bench token has no quota and its
// user a $1,000,000 balance; with the master stopped the agent serves from the lease it
// holds (lease_offline: serve), so after the warm-up the agent's user lease is primed
// (BENCH_RELAY_AGENT_PRIME: the same request with a large max_tokens, whose worst-case
// reservations make the lease grow by doubling within a second; the actual cost of every
// answer is unchanged) until <data_dir>/quota-leases.json holds several times what the
// window can spend; the window must show no failed request. Every metered agent row ends
// with a usage check (bounded by BENCH_RELAY_AGENT_SETTLE; for agent-deferred, with the
// master back): the usage_logs rows of that agent must equal the requests the load
// generator sent it over its life, and those with a 2xx status its 2xx answers plus at
// most the requests cut off in flight when a load-generator run ended. The stream TTFB
// figure is measured on e as well.
// The routing figures (weighted, failover) are informational, no
// threshold. Per row: req/s, latency p50/p99 over every 2xx answer,
// server CPU per request (utime+stime from /proc/<pid>/stat), server RSS (VmRSS
// sampled every 200 ms), mock / Postgres+Redis / load-generator CPU, and the CPU
// used by anything else on the machine (a row is measured again when that is
// above 0.3 cores). Per target: stream time to first body byte over sequential
// keep-alive requests. For the gateway: usage rows settled during and after the
// load. If an acceptance figure of the gateway misses, a fresh gateway runs the
// failing measurement under --cpu-prof and the hot spots are printed.
//
// Everything listens on and talks to 127.0.0.1 (Portkey's server binds all
// interfaces; it is only ever addressed on 127.0.0.1). Every loop is bounded (the
// whole run by 20 min); the children are killed and the temporary directories,
// database and Redis keys are removed at the end, on error and on SIGINT/SIGTERM.
//
// Usage: npm run bench                                     (build, master bench, this)
//        npm run build && node_modules/.bin/node bench/relay.mjs
// Knobs (env): BENCH_RELAY_DURATION (8 s), BENCH_RELAY_WARMUP (2 s),
//   BENCH_RELAY_CONNECTIONS (16,64), BENCH_RELAY_TTFB_REQUESTS (500),
//   BENCH_RELAY_FAILOVER_REQUESTS (500 per model, after 200 warm-up requests each),
//   BENCH_RELAY_TARGETS (mock,bare,ours,portkey,agent),
//   BENCH_RELAY_SCENARIOS (chat,stream,translated,weighted,failover,unmetered,agent-unmetered,agent-deferred),
//   BENCH_RELAY_AGENT_SETTLE (120 s bound of each agent row's settlement check),
//   BENCH_RELAY_AGENT_PRIME (1048576: max_tokens of agent-deferred's lease priming; 0 = none, plain warm-up only),
//   BENCH_RELAY_PROFILE (auto|always|never|a list of chat,stream,translated,ttfb), BENCH_RELAY_BACKENDS (auto|embedded),
//   BENCH_RELAY_SETTLE (12 s bound of the settlement phase), BENCH_RELAY_MAX_RETRIES (6, noisy rows),
//   BENCH_RELAY_GATEWAY_NODE_ARGS (extra node flags for the gateway, e.g. --max-semi-space-size=16),
//   BENCH_RELAY_PROFILE_DIR (keep the .cpuprofile files there, for Chrome DevTools),
//   BENCH_RELAY_STRICT=1 (exit 1 on a missed figure),
//   BENCH_DATABASE_URL / BENCH_REDIS_URL (loopback only; default
//   postgres://postgres:postgres@127.0.0.1:5432/postgres and redis://127.0.0.1:6379, probed).

import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import {
  cleanEnv,
  clockTicks,
  createBenchDatabase,
  freePort,
  gitCommit,
  guardRun,
  intFromEnv,
  loopbackUrl,
  machineCpu,
  memoryOf,
  openRedis,
  percentile,
  procCpu,
  processSnapshot,
  readJson,
  signalGroup,
  sleep,
  spawnChild,
  stopChild,
  tcpReachable,
} from './lib.mjs';

const HOST = '127.0.0.1';
const selfPath = fileURLToPath(import.meta.url);
const root = resolve(dirname(selfPath), '..');

const role = process.argv.find((arg) => arg.startsWith('--role='))?.slice('--role='.length) ?? 'main';
const argValue = (name) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);


// ───────────────────────────── mock upstream (child) ─────────────────────────────

/** Fixed answers, serialised once: the mock must cost as little as possible. */
function mockAnswers() {
  const created = 1_764_000_000;
  const words = ['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today?'];
  const text = words.join('');
  const chatUsage = {
    prompt_tokens: 24,
    completion_tokens: 9,
    total_tokens: 33,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const chatJson = {
    id: 'chatcmpl-bench0000000000000000000001',
    object: 'chat.completion',
    created,
    model: 'gpt-bench-2025-01-01',
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
    usage: chatUsage,
    service_tier: 'default',
    system_fingerprint: 'fp_bench',
  };
  const chunk = (choices, usage = null) =>
    `data: ${JSON.stringify({ id: chatJson.id, object: 'chat.completion.chunk', created, model: chatJson.model, service_tier: 'default', system_fingerprint: 'fp_bench', choices, usage })}\n\n`;
  const chatStream = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]),
    ...words.map((word) => chunk([{ index: 0, delta: { content: word }, logprobs: null, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
    chunk([], chatUsage),
    'data: [DONE]\n\n',
  ].join('');

  const message = {
    id: 'msg_bench00000000000000000001',
    type: 'message',
    role: 'assistant',
    model: 'claude-bench-2025-01-01',
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 24, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 9, service_tier: 'standard' },
  };
  const event = (data) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
  const messageStream = [
    event({ type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } }),
    'event: ping\ndata: {"type": "ping"}\n\n',
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...words.map((word) => event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } })),
    event({ type: 'content_block_stop', index: 0 }),
    event({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
    event({ type: 'message_stop' }),
  ].join('');

  // What the mock's /fail/... prefix answers (HTTP 500), as OpenAI words a server error.
  const failJson = { error: { message: 'bench: injected failure', type: 'server_error', param: null, code: null } };

  return {
    failJson: Buffer.from(JSON.stringify(failJson)),
    chatJson: Buffer.from(JSON.stringify(chatJson)),
    chatStream: Buffer.from(chatStream),
    messageJson: Buffer.from(JSON.stringify(message)),
    messageStream: Buffer.from(messageStream),
  };
}

/** `/c<N>/rest`: a channel's path prefix (the weighted scenario), counted by the mock and stripped. */
const CHANNEL_PREFIX = /^\/(c\d{1,2})(\/.*)$/;

async function runMock(port) {
  const answers = mockAnswers();
  /** Requests per path prefix (c1, c2, … and fail), since the start; GET /__counts reads them. */
  const counts = Object.create(null);
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
      res.end('ok');
      return;
    }
    if (req.method === 'GET' && req.url === '/__counts') {
      const body = JSON.stringify(counts);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    let path = req.url.split('?')[0];
    if (path.startsWith('/fail/')) {
      // Fails fast: the body is read (the connection stays reusable), then a fixed 500.
      counts.fail = (counts.fail ?? 0) + 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': answers.failJson.length });
        res.end(answers.failJson);
      });
      return;
    }
    if (path.startsWith('/c')) {
      const match = CHANNEL_PREFIX.exec(path);
      if (match) {
        counts[match[1]] = (counts[match[1]] ?? 0) + 1;
        path = match[2];
      }
    }
    const chat = path === '/v1/chat/completions';
    if (req.method !== 'POST' || (!chat && path !== '/v1/messages')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= 1 << 20) chunks.push(chunk);
    });
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"malformed JSON","type":"invalid_request_error"}}');
        return;
      }
      if (body?.stream === true) {
        // A whole stream written at once, chunked like a provider's SSE.
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
        res.write(chat ? answers.chatStream : answers.messageStream);
        res.end();
      } else {
        const answer = chat ? answers.chatJson : answers.messageJson;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
        res.end(answer);
      }
    });
  });
  serveChild(server, port);
}

// ──────────────────────────── bare pass-through proxy (child) ────────────────────────────

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

async function runBare(port, upstreamPort) {
  const { Agent, request } = await import('undici');
  const origin = `http://${HOST}:${upstreamPort}`;
  const agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 512 });
  const server = http.createServer(async (req, res) => {
    try {
      const headers = {};
      for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const upstream = await request(`${origin}${req.url}`, {
        method: req.method,
        headers,
        body: hasBody ? req : undefined,
        dispatcher: agent,
      });
      const out = {};
      for (const [name, value] of Object.entries(upstream.headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
      res.writeHead(upstream.statusCode, out);
      await pipeline(upstream.body, res);
    } catch {
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"bad gateway"}}');
      } else res.destroy();
    }
  });
  serveChild(server, port);
}

/** Listens on 127.0.0.1:port; exits when the parent goes away (IPC channel closed). */
function serveChild(server, port) {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  server.listen(port, HOST, () => process.send?.({ listening: port }));
}

// ───────────────────────────────────── main ─────────────────────────────────────

async function runMain() {
  const { default: autocannon } = await import('autocannon');

  const DURATION = intFromEnv('BENCH_RELAY_DURATION', 8, 1, 120);
  const WARMUP = intFromEnv('BENCH_RELAY_WARMUP', 2, 0, 60);
  const CONNECTIONS = listFromEnv('BENCH_RELAY_CONNECTIONS', '16,64').map((value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`BENCH_RELAY_CONNECTIONS: bad value ${value}`);
    return n;
  });
  const TTFB_REQUESTS = intFromEnv('BENCH_RELAY_TTFB_REQUESTS', 500, 10, 100_000);
  const TTFB_WARMUP = 200;
  /** Failover figure: sequential requests per model (direct and failover, alternating), after FAILOVER_WARMUP of each. */
  const FAILOVER_REQUESTS = intFromEnv('BENCH_RELAY_FAILOVER_REQUESTS', 500, 10, 100_000);
  const FAILOVER_WARMUP = 200;
  const SETTLE_SECONDS = intFromEnv('BENCH_RELAY_SETTLE', 12, 0, 300);
  /** Bound of the check that every metered agent row's usage settled (rows of that agent = its 2xx answers). */
  const AGENT_SETTLE_SECONDS = intFromEnv('BENCH_RELAY_AGENT_SETTLE', 120, 5, 900);
  /** max_tokens of agent-deferred's lease priming requests (0: none); the mock's answer, and so the cost, is the same. */
  const AGENT_PRIME_MAX_TOKENS = intFromEnv('BENCH_RELAY_AGENT_PRIME', 1_048_576, 0, 1_048_576);
  const ALL_TARGETS = ['mock', 'bare', 'ours', 'portkey', 'agent'];
  const ALL_SCENARIOS = ['chat', 'stream', 'translated', 'weighted', 'failover', 'unmetered', 'agent-unmetered', 'agent-deferred'];
  const TARGETS = listFromEnv('BENCH_RELAY_TARGETS', ALL_TARGETS.join(','));
  const SCENARIOS = listFromEnv('BENCH_RELAY_SCENARIOS', ALL_SCENARIOS.join(','));
  for (const target of TARGETS) if (!ALL_TARGETS.includes(target)) throw new Error(`BENCH_RELAY_TARGETS: unknown ${target}`);
  /** Targets with no acceptance figure: their errors, failed sanity checks and failed starts are reported, never fail the run. */
  const INFORMATIONAL_TARGETS = new Set(['agent']);
  for (const scenario of SCENARIOS) if (!ALL_SCENARIOS.includes(scenario)) throw new Error(`BENCH_RELAY_SCENARIOS: unknown ${scenario} (${ALL_SCENARIOS.join(', ')})`);
  const PROFILE = process.env.BENCH_RELAY_PROFILE || 'auto';
  const PROFILE_KINDS = ['chat', 'stream', 'translated', 'ttfb'];
  if (!['auto', 'always', 'never'].includes(PROFILE) && !PROFILE.split(',').every((kind) => PROFILE_KINDS.includes(kind))) {
    throw new Error(`BENCH_RELAY_PROFILE: auto | always | never | a list of ${PROFILE_KINDS.join(', ')}`);
  }
  const BACKENDS = process.env.BENCH_RELAY_BACKENDS || 'auto';
  if (!['auto', 'embedded'].includes(BACKENDS)) throw new Error('BENCH_RELAY_BACKENDS: auto | embedded');
  const STRICT = process.env.BENCH_RELAY_STRICT === '1';
  /** Extra Node flags for the gateway child only (e.g. --max-semi-space-size=16), to try runtime settings. */
  const GATEWAY_NODE_ARGS = (process.env.BENCH_RELAY_GATEWAY_NODE_ARGS || '').split(/\s+/).filter(Boolean);
  const MAX_CONN = Math.max(...CONNECTIONS);
  /** Cores used elsewhere on the machine (not server, mock, Postgres/Redis or load generator) above which a row is measured again. */
  const NOISY_CORES = 0.3;
  const MAX_RETRIES_PER_ROW = 2;
  let retriesLeft = intFromEnv('BENCH_RELAY_MAX_RETRIES', 6, 0, 100);
  /** Before each row, wait up to this long for the machine to be quiet. */
  const QUIET_WAIT_MS = 10_000;

  const RUN_BOUND_MS = 20 * 60_000; // the whole run, whatever happens
  const START_TIMEOUT_MS = 60_000;
  const REQUEST_TIMEOUT_MS = 10_000;
  const LATENCY_CAPACITY = 4_000_000;
  const CLK_TCK = clockTicks();

  const gatewayEntry = join(root, 'dist/apps/master/src/main.js');
  const agentEntry = join(root, 'dist/apps/agent/src/main.js');
  const portkeyEntry = join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const portkeyVersion = readJson(join(root, 'node_modules/@portkey-ai/gateway/package.json'))?.version ?? '?';
  const autocannonVersion = readJson(join(root, 'node_modules/autocannon/package.json'))?.version ?? '?';
  const resultsFile = join(root, 'bench/results/relay-latest.md');
  const docsFile = join(root, 'docs/benchmarks.md');
  if (TARGETS.includes('ours') && !existsSync(gatewayEntry)) throw new Error(`${gatewayEntry} not found: run \`npm run build\` first (or \`npm run bench\`)`);
  if (TARGETS.includes('agent') && !(existsSync(gatewayEntry) && existsSync(agentEntry))) throw new Error(`${agentEntry} or ${gatewayEntry} not found: run \`npm run build\` first`);
  if (TARGETS.includes('portkey') && !existsSync(portkeyEntry)) throw new Error(`${portkeyEntry} not found (the @portkey-ai/gateway dev dependency)`);

  const tmp = mkdtempSync(join(os.tmpdir(), 'aigw-relay-bench-'));
  const children = new Set();
  /** Process groups (a master and its settlement worker) stopped with SIGSTOP and not yet continued. */
  const pausedGroups = new Set();
  const { cleanups, cleanup, release } = guardRun({
    tmp,
    children,
    boundMs: RUN_BOUND_MS,
    beforeStop: () => {
      for (const pgid of [...pausedGroups]) resumeGroup(pgid);
    },
    stop: stopChild,
    // Last resort: never leave a child behind, even on an unexpected exit.
    kill: (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // A child in its own process group (the agent target's master) takes its settlement worker with it.
      if (child.group) signalGroup(child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    },
  });

  const runStarted = performance.now();
  const loadavg = os.loadavg();
  const results = []; // one row per scenario × connections
  const ttfb = new Map(); // target -> stats
  const memory = new Map(); // target -> { peakRss, hwm }
  let failover = null; // the failover figure (gateway only)
  const notes = [];
  const failures = [];
  /** Problems of informational targets (the remote agent): in the report, not in the exit code. */
  const infoFailures = [];
  let mode = null;
  let usageCheck = null;
  let settlement = null;
  let profileReport = null;
  let backends = null;

  try {
    // ── the mock upstream (one process for the whole run) ──
    const mockPort = await freePort();
    const mock = await startChild('mock', process.execPath, [selfPath, '--role=mock', `--port=${mockPort}`], { cwd: tmp });
    await waitHttp(mockPort, 'GET', '/health', mock);
    mock.port = mockPort;
    const mockUrl = `http://${HOST}:${mockPort}`;
    console.log(`mock upstream on ${mockUrl} (pid ${mock.pid})`);

    // ── request bodies ──
    const messages = [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello in one short sentence.' },
    ];
    const chatBody = (model, stream, maxTokens = 64) =>
      JSON.stringify({ model, messages, max_tokens: maxTokens, temperature: 0, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });

    // ── the gateway's backends ──
    const gatewayToken = `sk-bench-${randomBytes(18).toString('hex')}`;
    if (TARGETS.includes('ours') || TARGETS.includes('agent')) {
      backends = await prepareBackends();
      mode = backends.describe;
      console.log(`gateway backends: ${mode}`);
      if (TARGETS.includes('agent') && !backends.database) notes.push('agent target: no Postgres on loopback, so its usage check (usage rows of the agent against its requests) was not run');
    }
    let gatewayStarts = 0;

    const scenarioDefs = [
      { id: 'chat', label: 'chat, non-streaming (same protocol)', stream: false, targets: ['mock', 'bare', 'ours', 'portkey', 'agent'] },
      { id: 'stream', label: 'chat, streaming (same protocol)', stream: true, targets: ['mock', 'bare', 'ours', 'portkey', 'agent'] },
      { id: 'translated', label: 'chat → Anthropic upstream (translated), non-streaming', stream: false, targets: ['ours'] },
      // Routing: the 64-connection chat row with 4 channels of one priority, weights 1:2:3:4; the mock counts each channel's requests.
      { id: 'weighted', label: `chat, non-streaming, ${WEIGHTED_CHANNELS.length} weighted channels (${WEIGHTED_CHANNELS.map((c) => c.weight).join(':')})`, stream: false, targets: ['ours'], maxConnectionsOnly: true, countChannels: true, informational: true },
      // Metering cost: the 64-connection chat row on a gateway started with relay_metering: false (no usage records, quota or limits).
      { id: 'unmetered', label: 'chat, non-streaming, metering and quota off', stream: false, targets: ['ours'], maxConnectionsOnly: true, informational: true, startOptions: { metering: false } },
      // The same on a remote agent (its master metered as ever): the agent's own metering cost, with settlement beside it on this machine.
      { id: 'agent-unmetered', label: 'chat, non-streaming, agent with metering and quota off', stream: false, targets: ['agent'], maxConnectionsOnly: true, informational: true, startOptions: { metering: false } },
      // A metered agent whose master (and settlement worker) is stopped for the window: metering on the agent alone, settlement deferred.
      { id: 'agent-deferred', label: 'chat, non-streaming, agent metered, master stopped (settlement deferred)', stream: false, targets: ['agent'], maxConnectionsOnly: true, informational: true, deferSettlement: true },
    ];
    const plainHeaders = { 'content-type': 'application/json', authorization: 'Bearer sk-mock' };

    const targetDefs = {
      mock: {
        label: 'a. mock (direct)',
        start: async () => ({ child: mock, port: mockPort, shared: true }),
        request: (scenario) => ({ path: '/v1/chat/completions', headers: plainHeaders, body: chatBody('gpt-bench', scenario.stream) }),
      },
      bare: {
        label: 'b. bare proxy (node:http + undici)',
        start: async () => {
          const port = await freePort();
          const child = await startChild('bare', process.execPath, [selfPath, '--role=bare', `--port=${port}`, `--upstream=${mockPort}`], { cwd: tmp });
          await waitHttp(port, 'GET', '/health', child);
          return { child, port };
        },
        request: (scenario) => ({ path: '/v1/chat/completions', headers: plainHeaders, body: chatBody('gpt-bench', scenario.stream) }),
      },
      ours: {
        label: 'c. aigw (this gateway)',
        start: (extraArgs = [], options = {}) => startGateway(extraArgs, options),
        request: (scenario, model = { translated: 'bench-anthropic', weighted: 'bench-weighted', failover: 'bench-failover' }[scenario.id] ?? 'bench-openai') => ({
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayToken}` },
          body: chatBody(model, scenario.stream),
        }),
      },
      portkey: {
        label: `d. Portkey gateway ${portkeyVersion}`,
        start: async () => {
          const port = await freePort();
          const dir = mkdtempSync(join(tmp, 'portkey-'));
          const env = cleanEnv();
          for (const key of Object.keys(env)) if (/^(REDIS_CONNECTION_STRING|PORT|NODE_ENV|ENVIRONMENT|TRUSTED_CUSTOM_HOSTS|HTTPS?_PROXY)$/i.test(key)) delete env[key];
          const child = await startChild('portkey', process.execPath, [portkeyEntry, `--port=${port}`, '--headless'], { cwd: dir, env, ipc: false });
          await waitHttp(port, 'GET', '/', child);
          return { child, port };
        },
        request: (scenario) => ({
          path: '/v1/chat/completions',
          headers: { ...plainHeaders, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mockUrl}/v1` },
          body: chatBody('gpt-bench', scenario.stream),
        }),
      },
      agent: {
        label: 'e. aigw remote agent',
        // In INFORMATIONAL_TARGETS: no acceptance figure; its errors and failures are reported without failing the run.
        start: (extraArgs = [], options = {}) => startAgentTarget(extraArgs, options),
        request: (scenario, maxTokens = 64) => ({
          path: '/v1/chat/completions',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${gatewayToken}` },
          body: chatBody('bench-openai', scenario.stream, maxTokens),
        }),
      },
    };
    let agentStarts = 0;

    /**
     * A fresh gateway process. With Redis, each start gets its own key prefix: the
     * settlement backlog a scenario leaves in Redis is not worked off by the next
     * scenario's process (it would compete with that scenario's load).
     */
    async function startGateway(extraArgs = [], { failoverRouting = false, metering = true, group = false } = {}) {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmp, 'aigw-data-'));
      const configPath = join(dataDir, 'config.yaml');
      writeFileSync(configPath, gatewayConfig({ mockUrl, token: gatewayToken, failoverRouting, metering }));
      gatewayStarts += 1;
      const redisPrefix = backends.redis ? `${backends.redis.prefix}-${gatewayStarts}` : null;
      // Fixed for the run: only the first start on a database creates the admin; the agent target logs in to enroll its agent.
      const adminPassword = backends.adminPassword;
      const env = cleanEnv();
      Object.assign(env, {
        PORT: String(port),
        HOST,
        AIGW_DATA_DIR: dataDir,
        AIGW_ADMIN_PASSWORD: adminPassword,
        AIGW_LOG_LEVEL: 'warn',
        AIGW_CONFIG: configPath,
        // Fixed for the run: every start on the same database reads the same channel keys.
        AIGW_SECRET_KEY: backends.secretKey,
        AIGW_JWT_SECRET: backends.jwtSecret,
        ...backends.env,
        ...(redisPrefix ? { AIGW_REDIS_PREFIX: redisPrefix } : {}),
      });
      const child = await startChild(group ? 'master' : 'ours', process.execPath, [...GATEWAY_NODE_ARGS, ...extraArgs, gatewayEntry], { cwd: dataDir, env, ipc: false, group });
      await waitHttp(port, 'GET', '/ping', child);
      return { child, port, dataDir, redisPrefix, adminPassword };
    }

    /**
     * The agent target: a master started as for `ours` (in its own process group, so that
     * its settlement worker can be stopped with it), an enrollment token from its admin API,
     * and a remote agent enrolled with it, serving once its first policy arrived. The agent's
     * config file holds only log_level and, for agent-unmetered, relay_metering: false.
     */
    async function startAgentTarget(extraArgs = [], { metering = true } = {}) {
      const master = await startGateway([], { group: true });
      let agent = null;
      try {
        const http1 = new http.Agent({ keepAlive: false });
        let enrollmentToken;
        try {
          const login = await httpRequest(http1, master.port, 'POST', '/api/auth/login', {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'admin', password: master.adminPassword }),
          });
          if (login.status !== 200) throw new Error(`master login: HTTP ${login.status}: ${login.body.slice(0, 300)}`);
          const jwt = JSON.parse(login.body).access_token;
          const created = await httpRequest(http1, master.port, 'POST', '/api/agents/enrollment-tokens', {
            headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
            body: JSON.stringify({ name: `bench-enrollment-${agentStarts + 1}` }),
          });
          if (created.status !== 201) throw new Error(`enrollment token: HTTP ${created.status}: ${created.body.slice(0, 300)}`);
          enrollmentToken = JSON.parse(created.body).token;
        } finally {
          http1.destroy();
        }
        agentStarts += 1;
        const port = await freePort();
        const dir = mkdtempSync(join(tmp, 'aigw-agent-'));
        const dataDir = join(dir, 'data');
        const configPath = join(dir, 'agent.yaml');
        writeFileSync(configPath, `# written by bench/relay.mjs\nlog_level: warn\n${metering ? '' : 'relay_metering: false\n'}`);
        const env = cleanEnv();
        Object.assign(env, {
          PORT: String(port),
          HOST,
          AIGW_MASTER_URL: `http://${HOST}:${master.port}`,
          AIGW_ENROLLMENT_TOKEN: enrollmentToken,
          AIGW_AGENT_NAME: `bench-agent-${agentStarts}-${randomBytes(3).toString('hex')}`,
          AIGW_REGION: 'bench',
          AIGW_DATA_DIR: dataDir,
          AIGW_CONFIG: configPath,
          AIGW_LOG_LEVEL: 'warn',
        });
        agent = await startChild('agent', process.execPath, [...GATEWAY_NODE_ARGS, ...extraArgs, agentEntry], { cwd: dir, env, ipc: false });
        /** Every answer the agent gave this bench (2xx and not), to check its usage rows against. */
        const tally = { ok: 0, non2xx: 0, sent: 0, statuses: {} };
        await waitAgentServes(port, agent, tally, targetDefs.agent.request({ id: 'chat', stream: false }));
        const agentId = readJson(join(dataDir, 'agent.json'))?.agent_id ?? null;
        if (!agentId) throw new Error(`agent: no agent id in ${join(dataDir, 'agent.json')}`);
        const pgid = master.child.pid;
        return {
          child: agent,
          port,
          master,
          dataDir,
          agentId,
          metering,
          tally,
          /** agent-deferred's lease priming: the chat request with max_tokens AGENT_PRIME_MAX_TOKENS. */
          primeBody: chatBody('bench-openai', false, Math.max(1, AGENT_PRIME_MAX_TOKENS)),
          /** The master's process group (master + settlement worker): counted with Postgres/Redis as the backend. */
          backendGroup: pgid,
          usage: backends.database ? () => backends.database.agentUsage(agentId) : null,
          /** The smallest quota lease the agent holds, from <data_dir>/quota-leases.json (written at most 1 s after a change), micro-USD. */
          leaseHeld: () => {
            const held = Object.values(readJson(join(dataDir, 'quota-leases.json')) ?? {}).filter((value) => Number.isFinite(value));
            return held.length ? Math.min(...held) : 0;
          },
          pause: () => pauseGroup(pgid),
          resume: () => resumeGroup(pgid),
          stop: async () => {
            resumeGroup(pgid);
            await stopChild(agent);
            await stopChild(master.child);
          },
        };
      } catch (error) {
        if (agent) await stopChild(agent);
        await stopChild(master.child);
        throw error;
      }
    }

    async function prepareBackends() {
      const secrets = { secretKey: randomBytes(32).toString('hex'), jwtSecret: randomBytes(32).toString('hex'), adminPassword: randomBytes(18).toString('base64url') };
      if (BACKENDS === 'embedded') return { ...secrets, env: {}, describe: 'embedded defaults (PGlite, in-process queue), forced by BENCH_RELAY_BACKENDS=embedded' };
      const pgAdmin = loopbackUrl(process.env.BENCH_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres', 'BENCH_DATABASE_URL');
      const redisUrl = loopbackUrl(process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', 'BENCH_REDIS_URL');
      const env = {};
      const parts = [];
      let database = null;
      if (await tcpReachable(pgAdmin)) {
        try {
          database = await createBenchDatabase(pgAdmin);
          cleanups.push(() => database.drop());
          env.DATABASE_URL = database.url;
          parts.push(`Postgres ${database.serverVersion} on loopback (throwaway database ${database.name})`);
        } catch (error) {
          notes.push(`Postgres at ${pgAdmin.host} reachable but unusable (${error.message}): embedded PGlite used`);
        }
      }
      if (!database) parts.push('embedded PGlite (no usable Postgres on loopback)');
      let redis = null;
      if (database && (await tcpReachable(redisUrl))) {
        const prefix = `aigw-relay-bench-${randomBytes(4).toString('hex')}`;
        try {
          redis = await openRedis(redisUrl, prefix);
          cleanups.push(() => redis.close());
          Object.assign(env, { REDIS_URL: redisUrl.href });
          parts.push(`BullMQ on Redis ${redis.version} on loopback (throwaway key prefixes ${prefix}-*)`);
        } catch (error) {
          notes.push(`Redis at ${redisUrl.host} reachable but unusable (${error.message}): in-process queue used`);
        }
      }
      if (!redis) parts.push('in-process queue');
      return { ...secrets, env, database, redis, describe: parts.join(', ') };
    }

    // ── measurements ──
    for (const targetId of TARGETS) {
      try {
        const target = targetDefs[targetId];
        console.log(`\n== ${target.label}`);
        const mem = { peakRss: 0, hwm: 0 };
        memory.set(targetId, mem);
        for (const scenario of scenarioDefs) {
          if (!scenario.targets.includes(targetId) || !SCENARIOS.includes(scenario.id)) continue;
          const req = target.request(scenario);
          for (const connections of scenario.maxConnectionsOnly ? [MAX_CONN] : CONNECTIONS) {
            // A row is measured again (fresh process) when something else on the machine took > NOISY_CORES
            // during its window; the quietest attempt is kept.
            let row = null;
            for (let attempt = 1; attempt <= 1 + MAX_RETRIES_PER_ROW; attempt += 1) {
              if (attempt > 1) {
                if (retriesLeft <= 0) break;
                retriesLeft -= 1;
                console.log(`  (${row.otherCores.toFixed(2)} cores busy elsewhere during that window: measuring again)`);
              }
              const started = await target.start([], scenario.startOptions ?? {});
              try {
                const quiet = await waitQuiet(started.child.pid, QUIET_WAIT_MS);
                const status = await sanityCheck(targetId, scenario, started.port, req);
                if (started.tally) countAnswer(started.tally, status);
                const rowMem = { peakRss: 0 };
                const candidate = await measure({ targetId, target, scenario, started, req, connections, mem: rowMem });
                candidate.attempts = attempt;
                candidate.foreignBefore = quiet;
                // A metered agent: every answer it gave must settle as one usage row of that agent (with the master back, for agent-deferred).
                if (started.metering && started.usage) candidate.agentSettle = await checkAgentSettled(started, candidate);
                if (!row || candidate.otherCores < row.otherCores) {
                  row = candidate;
                  row.settlement = null;
                  if (targetId === 'ours' && scenario.id === 'chat' && connections === MAX_CONN && backends.database && SETTLE_SECONDS > 0 && row.backlog > 0) {
                    row.settlement = await measureSettlement(started, row);
                  }
                }
              } finally {
                // Informational rows (routing) stay out of the memory figures, which the acceptance checks.
                if (!scenario.informational) mem.hwm = Math.max(mem.hwm, memoryOf(started.child.pid).hwm ?? 0);
                await stopStarted(started);
              }
              if (row.otherCores <= NOISY_CORES) break;
            }
            if (!scenario.informational) mem.peakRss = Math.max(mem.peakRss, row.peakRss);
            results.push(row);
            console.log(
                `  ${scenario.id.padEnd(10)} c=${String(connections).padStart(3)}: ${fmtInt(row.rps)} req/s, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, ` +
                  `server ${row.cpuPerReqUs.toFixed(0)} µs/req (${row.serverCores.toFixed(2)} cores), client ${row.clientCores.toFixed(2)}, other ${row.otherCores.toFixed(2)}${row.otherNamed.length ? ` [${row.otherNamed.map((o) => `${o.comm} ${o.cores.toFixed(2)}`).join(', ')}]` : ''}, RSS ${row.peakRss.toFixed(0)} MiB` +
                  (row.settledPerSecond !== null ? `, settled ${fmtInt(row.settledPerSecond)}/s during the window, backlog ${fmtInt(row.backlog)}` : '') +
                  (row.errors ? `, ${row.errors} errors (${row.firstError})` : ''),
            );
            if (row.channelShares) {
              console.log(`  requests per channel during the window: ${row.channelShares.map((c) => `${c.name} ${pct(c.share)} (weight ${c.weight}: ${pct(c.expected)})`).join(', ')}`);
            }
            if (row.lease) {
              const l = row.lease;
              console.log(
                `  agent lease at the window's start: ${usd(l.held)} held (wanted ≥ ${usd(l.need)} for ${fmtInt(l.warmRps)} req/s × ${DURATION} s at up to ${LEASE_MARGIN}×, ${fmtInt(CHAT_COST_MICROS)} µUSD an answer)` +
                  `${l.primeSeconds ? `, after ${l.primeSeconds.toFixed(1)} s of priming (max_tokens ${fmtInt(AGENT_PRIME_MAX_TOKENS)})` : ''}; master group stopped for ${l.pausedSeconds.toFixed(1)} s`,
              );
            }
            if (row.agentSettle) {
              const a = row.agentSettle;
              console.log(
                `  agent usage: ${fmtInt(a.rows)} usage rows of the agent (${fmtInt(a.okRows)} with a 2xx status) for ${fmtInt(a.sent)} requests sent: ${fmtInt(a.ok)} answered 2xx, ${fmtInt(a.non2xx)} otherwise${a.non2xx ? ` (${a.statuses})` : ''}, ${fmtInt(a.cutOff)} cut off in flight at the end of a load-generator run` +
                  ` — ${a.exact ? 'every request metered once' : 'MISMATCH'}; all in within ${a.seconds.toFixed(1)} s of the window's end` +
                  (row.lease ? ` (${fmtInt(a.rowsAfterWindow)} rows after the master came back: ${fmtInt(a.rowsAfterWindow / Math.max(a.seconds, 0.001))} rows/s)` : ''),
              );
            }
            if (row.settlement) {
              settlement = row.settlement;
              console.log(
                `  settlement after the load: ${fmtInt(settlement.rowsPerSecond)} usage rows/s over ${settlement.seconds.toFixed(1)} s, ` +
                  `${settlement.gatewayUsPerRow.toFixed(0)} µs gateway CPU + ${settlement.backendUsPerRow.toFixed(0)} µs Postgres/Redis CPU per row, backlog left ${fmtInt(settlement.backlogLeft)}`,
              );
            }
          }
        }
        const started = await target.start();
        try {
          await waitQuiet(started.child.pid, QUIET_WAIT_MS);
          const t = await measureTtfb(started, target.request(scenarioDefs[1]));
          ttfb.set(targetId, t);
          console.log(`  stream TTFB over ${t.count} sequential requests: p50 ${t.p50.toFixed(3)} ms, mean ${t.mean.toFixed(3)} ms, p99 ${t.p99.toFixed(3)} ms`);
        } finally {
          await stopStarted(started);
        }
        if (targetId === 'ours' && SCENARIOS.includes('failover')) {
          // A fresh gateway whose retry budget and breakers never stand between a failed attempt and its retry.
          const gateway = await target.start([], { failoverRouting: true });
          try {
            await waitQuiet(gateway.child.pid, QUIET_WAIT_MS);
            const reqs = { direct: target.request({ id: 'chat', stream: false }), failover: target.request({ id: 'failover', stream: false }) };
            const failedBefore = (await mockCounts()).fail ?? 0;
            await sanityCheck('ours', { id: 'failover', stream: false }, gateway.port, reqs.failover);
            if (((await mockCounts()).fail ?? 0) !== failedBefore + 1) {
              failures.push('ours failover: the failing channel was not tried first');
              console.error('  sanity check failed: ours failover: the failing channel was not tried first');
            }
            failover = await measureFailover(gateway, reqs);
            const f = failover;
            console.log(
              `  failover over ${f.direct.count} + ${f.failover.count} alternating sequential requests: direct p50 ${f.direct.p50.toFixed(3)} ms (mean ${f.direct.mean.toFixed(3)}), ` +
                `one failed attempt then success p50 ${f.failover.p50.toFixed(3)} ms (mean ${f.failover.mean.toFixed(3)}): added p50 ${signed(f.addedP50)} ms, mean ${signed(f.addedMean)} ms; ` +
                `failing channel tried on ${f.failingAttempts} of ${f.failover.count + f.failover.failed} failover requests` +
                (f.direct.failed + f.failover.failed ? `, ${f.direct.failed + f.failover.failed} failed requests (${f.firstFailure})` : ''),
            );
          } finally {
            await stopChild(gateway.child);
          }
        }
        if (targetId === 'ours' && backends.database) usageCheck = await backends.database.counts();
      } catch (error) {
        // An informational target (the remote agent) that fails to start or to measure does not cost the run its other figures.
        if (!INFORMATIONAL_TARGETS.has(targetId)) throw error;
        infoFailures.push(`${targetId}: ${error.message.split('\n')[0]}`);
        console.error(`  ${targetId}: ${error.stack ?? error.message}`);
      }
    }

    // ── acceptance ──
    const find = (target, scenario, connections = MAX_CONN) => results.find((r) => r.targetId === target && r.scenario.id === scenario && r.connections === connections);
    const acceptance = [];
    const ratio = (name, a, b, threshold, fmt, scenarioForProfile) => {
      if (!a || !b) return;
      const value = a.rps / b.rps;
      acceptance.push({ name, measured: `${fmt(value)} (${fmtInt(a.rps)} / ${fmtInt(b.rps)} req/s)`, pass: value >= threshold, scenario: scenarioForProfile });
    };
    ratio(`ours / bare, non-streaming, ${MAX_CONN} connections, same protocol ≥ 75 %`, find('ours', 'chat'), find('bare', 'chat'), 0.75, pct, 'chat');
    ratio(`ours / Portkey, non-streaming, ${MAX_CONN} connections ≥ 4×`, find('ours', 'chat'), find('portkey', 'chat'), 4, times, 'chat');
    ratio(`translated ours / bare, non-streaming, ${MAX_CONN} connections ≥ 60 %`, find('ours', 'translated'), find('bare', 'chat'), 0.6, pct, 'translated');
    // Metering and quota (usage record, settlement, balance reservation) cost under 10 % of relay throughput.
    ratio(`ours metered / ours with relay_metering off, non-streaming, ${MAX_CONN} connections ≥ 90 %`, find('ours', 'chat'), find('ours', 'unmetered'), 0.9, pct, 'chat');
    if (ttfb.has('ours') && ttfb.has('mock')) {
      const overhead = ttfb.get('ours').p50 - ttfb.get('mock').p50;
      acceptance.push({
        name: 'stream TTFB overhead vs direct (p50, sequential) < 1 ms',
        measured: `${overhead.toFixed(3)} ms (${ttfb.get('ours').p50.toFixed(3)} − ${ttfb.get('mock').p50.toFixed(3)} ms)`,
        pass: overhead < 1,
        scenario: 'stream',
      });
    }
    if (memory.get('ours')?.peakRss > 0) {
      const peak = memory.get('ours').peakRss;
      acceptance.push({
        name: 'ours RSS under load < 200 MB',
        measured: `${peak.toFixed(0)} MiB = ${(peak * 1.048576).toFixed(0)} MB (highest VmRSS sampled under load)`,
        pass: peak * 1.048576 < 200,
        scenario: 'memory',
      });
    }
    const info = [];
    const addInfo = (name, a, b) => a && b && info.push({ name, value: a.rps / b.rps, fmt: name.includes('Portkey') ? times : pct });
    for (const c of CONNECTIONS) {
      addInfo(`ours/bare chat @${c}`, find('ours', 'chat', c), find('bare', 'chat', c));
      addInfo(`ours/bare stream @${c}`, find('ours', 'stream', c), find('bare', 'stream', c));
      addInfo(`translated/bare chat @${c}`, find('ours', 'translated', c), find('bare', 'chat', c));
      addInfo(`ours/Portkey chat @${c}`, find('ours', 'chat', c), find('portkey', 'chat', c));
      addInfo(`ours/Portkey stream @${c}`, find('ours', 'stream', c), find('portkey', 'stream', c));
      addInfo(`bare/mock chat @${c}`, find('bare', 'chat', c), find('mock', 'chat', c));
      addInfo(`weighted ${WEIGHTED_CHANNELS.length} channels/1 channel chat @${c}`, find('ours', 'weighted', c), find('ours', 'chat', c));
      addInfo(`metered/unmetered chat @${c}`, find('ours', 'chat', c), find('ours', 'unmetered', c));
    }
    // Routing figures: informational, no threshold.
    const routing = routingSummary({ results, failover, MAX_CONN });
    if (routing.length) console.log(`\nRouting (informational): ${routing.join('; ')}.`);
    // Remote agent figures: informational, no threshold; its failed requests and unsettled usage are listed, not failing the run.
    for (const r of results.filter((row) => INFORMATIONAL_TARGETS.has(row.targetId))) {
      if (r.errors) infoFailures.push(`${r.targetId} ${r.scenario.id} @${r.connections}: ${r.errors} failed requests in the window (${r.firstError})`);
      // Answers other than 2xx before the window (readiness, sanity request, warm-up, priming): the window's are in its errors.
      const before = r.agentSettle ? r.agentSettle.non2xx - r.windowNon2xx : 0;
      if (before > 0) {
        infoFailures.push(
          `${r.targetId} ${r.scenario.id} @${r.connections}: ${fmtInt(before)} answers other than 2xx before the window (of all the agent's: ${r.agentSettle.statuses})` +
            (r.lease?.primeNon2xx ? `, ${fmtInt(r.lease.primeNon2xx)} of them while priming the lease (${r.lease.primeStatuses})` : ''),
        );
      }
      if (r.lease && r.lease.held < r.lease.need) infoFailures.push(`${r.targetId} ${r.scenario.id} @${r.connections}: the lease held ${usd(r.lease.held)} at the window's start, under the ${usd(r.lease.need)} wanted`);
      const a = r.agentSettle;
      if (a && !a.exact) {
        infoFailures.push(
          `${r.targetId} ${r.scenario.id} @${r.connections}: ${fmtInt(a.rows)} usage rows (${fmtInt(a.okRows)} with a 2xx status) settled within ${AGENT_SETTLE_SECONDS} s for ${fmtInt(a.sent)} requests sent (${fmtInt(a.ok)} answered 2xx, ${fmtInt(a.non2xx)} otherwise, ${fmtInt(a.cutOff)} cut off in flight)`,
        );
      }
    }
    const agentLines = agentSummary({ results, MAX_CONN, CONNECTIONS });
    if (agentLines.length) console.log(`\nRemote agent (informational): ${agentLines.join('; ')}.`);
    if (infoFailures.length) console.log(`\nInformational target problems (not failing the run):\n${infoFailures.map((f) => `  - ${f}`).join('\n')}`);

    // ── profile the gateway when one of its figures misses ──
    const missed = acceptance.filter((a) => !a.pass);
    // Throughput and memory misses are profiled under the non-streaming load at MAX_CONN; a translated miss
    // under the translated load; a TTFB miss under the sequential streamed requests ("ttfb").
    const missedKinds = missed.map((a) => ({ chat: 'chat', memory: 'chat', translated: 'translated', stream: 'ttfb' })[a.scenario]);
    const wanted =
      PROFILE === 'never' || !TARGETS.includes('ours')
        ? []
        : PROFILE === 'auto'
          ? [...new Set(missedKinds)]
          : PROFILE === 'always'
            ? [...new Set(missedKinds.length ? missedKinds : ['chat'])]
            : PROFILE.split(',');
    if (wanted.length) {
      profileReport = [];
      for (const kind of wanted) {
        const scenario = scenarioDefs.find((s) => s.id === (kind === 'ttfb' ? 'stream' : kind));
        console.log(`\n== profiling the gateway (--cpu-prof) under ${kind === 'ttfb' ? 'sequential streamed requests (the TTFB measurement)' : `${scenario.label}, ${MAX_CONN} connections`}`);
        const profDir = mkdtempSync(join(tmp, 'prof-'));
        const started = await targetDefs.ours.start(['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
        let row;
        try {
          if (kind === 'ttfb') {
            // The TTFB figure: sequential streamed requests, as measured above, but more of them for enough samples.
            const t = await measureTtfb(started, targetDefs.ours.request(scenario), Math.max(TTFB_REQUESTS, 3_000));
            row = { mode: 'ttfb', connections: 1, window: t.window, ttfb: t, cpuPerReqUs: t.cpuPerReqUs };
          } else {
            row = await measure({ targetId: 'ours', target: targetDefs.ours, scenario, started, req: targetDefs.ours.request(scenario), connections: MAX_CONN, mem: { peakRss: 0 } });
          }
        } finally {
          await stopChild(started.child);
        }
        const file = readdirSync(profDir).find((name) => name.endsWith('.cpuprofile'));
        if (!file) {
          profileReport.push({ scenario, error: 'no .cpuprofile written (the gateway did not exit cleanly)' });
          continue;
        }
        if (process.env.BENCH_RELAY_PROFILE_DIR) {
          const keep = resolve(process.env.BENCH_RELAY_PROFILE_DIR);
          mkdirSync(keep, { recursive: true });
          copyFileSync(join(profDir, file), join(keep, `aigw-${kind}-${Date.now()}.cpuprofile`));
        }
        const analysis = analyzeProfile(join(profDir, file), row.window);
        profileReport.push({ scenario, row, analysis });
        console.log(renderProfile({ scenario, row, analysis }));
      }
    }

    // ── report ──
    const meta = {
      date: new Date().toISOString(),
      commit: gitCommit(root),
      node: `${process.version} (${os.platform()} ${os.arch()}), ${os.cpus().length} CPUs: ${os.cpus()[0]?.model ?? 'unknown'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM`,
      loadavg,
      mode,
      command: commandLine(),
      DURATION,
      WARMUP,
      TTFB_REQUESTS,
      TTFB_WARMUP,
      FAILOVER_REQUESTS,
      FAILOVER_WARMUP,
      MAX_CONN,
      autocannonVersion,
      mockSizes: Object.fromEntries(Object.entries(mockAnswers()).map(([key, value]) => [key, value.length])),
      gatewayNodeArgs: GATEWAY_NODE_ARGS,
      usageCheck,
      settlement,
      notes,
      infoFailures,
      AGENT_SETTLE_SECONDS,
      AGENT_PRIME_MAX_TOKENS,
      minutes: (performance.now() - runStarted) / 60_000,
    };
    const markdown = renderReport({ meta, results, ttfb, memory, acceptance, info, failover, profileReport, CONNECTIONS });
    // A partial run (some targets or scenarios only) does not replace the published figures.
    const partial = !ALL_TARGETS.every((t) => TARGETS.includes(t)) || !ALL_SCENARIOS.every((s) => SCENARIOS.includes(s));
    const outFile = partial ? join(root, 'bench/results/relay-partial.md') : resultsFile;
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, `# aigw relay benchmark${partial ? ' (partial run)' : ''}\n\n${markdown}`);
    if (!partial) updateDocs(docsFile, renderReport({ meta, results, ttfb, memory, acceptance, info, failover, profileReport, CONNECTIONS, compact: true }), meta.date.slice(0, 10));
    console.log(`\n${markdown}`);
    console.log(`written to ${relative(root, outFile)}${partial ? ' (partial run: docs/benchmarks.md left alone)' : ` and the Relay section of ${relative(root, docsFile)}`} (${meta.minutes.toFixed(1)} min)`);

    const broken = results.filter((r) => r.errors > 0 && !INFORMATIONAL_TARGETS.has(r.targetId));
    if (failover && failover.direct.failed + failover.failover.failed > 0) broken.push(failover);
    if (failures.length || broken.length) {
      process.exitCode = 1;
      console.error(`bench: ${failures.length} sanity failures, ${broken.length} scenarios with failed requests (see the errors column${failover?.errors ? ' and the failover table' : ''})`);
    } else if (STRICT && missed.length) {
      process.exitCode = 1;
    }
  } finally {
    release();
    await cleanup();
  }

  // ───────────── helpers that need the run's state ─────────────

  /** group: the child leads its own process group (its children with it), which pauseGroup can stop as one. */
  function startChild(name, command, args, options) {
    return spawnChild(children, name, command, args, { ipc: true, ...options });
  }

  /** Stops what a target's start returned: its child, or (the agent target) the agent, then its master. */
  async function stopStarted(started) {
    if (started.stop) await started.stop();
    else if (!started.shared) await stopChild(started.child);
  }

  /** SIGSTOP to a process group (a master and its settlement worker), remembered so cleanup always continues it. */
  function pauseGroup(pgid) {
    if (signalGroup(pgid, 'SIGSTOP')) pausedGroups.add(pgid);
  }

  function resumeGroup(pgid) {
    if (pausedGroups.delete(pgid)) signalGroup(pgid, 'SIGCONT');
  }

  /**
   * Polls the chat request until the agent answers 200 (it answers 503 until its first
   * policy arrived), the child exits, or START_TIMEOUT_MS. The 200 goes into `tally`.
   */
  async function waitAgentServes(port, child, tally, req) {
    const agent = new http.Agent({ keepAlive: false });
    const deadline = performance.now() + START_TIMEOUT_MS;
    let last = 'no answer';
    try {
      while (performance.now() < deadline && child.exitCode === null && child.signalCode === null) {
        try {
          const res = await httpRequest(agent, port, 'POST', req.path, { headers: req.headers, body: req.body });
          if (res.status === 200) {
            countAnswer(tally, 200);
            return;
          }
          last = `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
        } catch (error) {
          last = error.message;
        }
        await sleep(50);
      }
      const why = child.exitCode !== null || child.signalCode !== null ? `exited (code ${child.exitCode}, signal ${child.signalCode})` : `no 200 within ${START_TIMEOUT_MS / 1000} s (last: ${last})`;
      throw new Error(`agent ${why}\n--- stderr ---\n${child.err.text}\n--- stdout ---\n${child.out.text}`);
    } finally {
      agent.destroy();
    }
  }

  /** A sink that only counts answers (an agent row's warm-up): the zero-length array drops cannon's latency writes. */
  function answerSink() {
    return { latencies: new Float64Array(0), count: 0, ok: 0, non2xx: 0, sent: 0, firstNon2xx: null, statuses: {} };
  }

  function countSink(tally, sink) {
    tally.ok += sink.ok;
    tally.non2xx += sink.non2xx;
    tally.sent += sink.sent;
    for (const [status, n] of Object.entries(sink.statuses ?? {})) tally.statuses[status] = (tally.statuses[status] ?? 0) + n;
  }

  function countAnswer(tally, status) {
    if (status === null) return;
    tally.sent += 1;
    if (status >= 200 && status < 300) tally.ok += 1;
    else {
      tally.non2xx += 1;
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
    }
  }

  /**
   * agent-deferred, after the warm-up: more load until the agent's user lease
   * (<data_dir>/quota-leases.json) holds LEASE_MARGIN times what the window would spend
   * at the warm-up's rate. Leases grow by doubling, a top-up each time half is spent, so
   * what one holds is of the order of what was spent so far: the warm-up's own spend at
   * 120 µUSD an answer would cover about as long a window. Priming requests ask
   * max_tokens AGENT_PRIME_MAX_TOKENS instead: their worst-case reservations (about $10
   * each) grow the lease in a second; the mock's answer, and so the cost, is the same.
   */
  async function primeLeases(started, options, warmRps, connections, sink) {
    const need = Math.ceil(LEASE_MARGIN * warmRps * DURATION * CHAT_COST_MICROS + connections * CHAT_RESERVATION_MICROS);
    const prime = AGENT_PRIME_MAX_TOKENS > 0 ? { ...options, body: started.primeBody } : options;
    let primeSeconds = 0;
    let rounds = 0;
    const primeNon2xx = sink.non2xx;
    const statuses0 = { ...sink.statuses };
    await sleep(1_200); // the agent writes its leases at most 1 s after a change
    let held = started.leaseHeld();
    for (; held < need && rounds < 15; rounds += 1) {
      const p0 = performance.now();
      await cannon({ ...prime, duration: AGENT_PRIME_MAX_TOKENS > 0 ? 1 : 2 }, sink);
      primeSeconds += (performance.now() - p0) / 1000;
      await sleep(1_200);
      held = started.leaseHeld();
    }
    const primeStatuses = fmtStatuses(Object.fromEntries(Object.entries(sink.statuses).map(([status, n]) => [status, n - (statuses0[status] ?? 0)]).filter(([, n]) => n > 0)));
    return { need, held, warmRps, rounds, primeSeconds, primeNon2xx: sink.non2xx - primeNon2xx, primeStatuses, pausedSeconds: 0 };
  }

  /**
   * After a metered agent row: waits (BENCH_RELAY_AGENT_SETTLE at most) until the usage
   * rows of that agent reach the requests the load generator sent it in its whole life,
   * or, once the rows with a 2xx status reach its 2xx answers, until no row came for 3 s.
   * Every request that reached the agent is metered once: answered 2xx, answered
   * otherwise, or cut off in flight when a load-generator run ended (autocannon closes its
   * connections with the last request of each unanswered: the agent finishes it, 2xx, or
   * sees the client go, 499). So: rows = requests sent, and 2xx answers ≤ 2xx rows ≤ 2xx
   * answers + cut off.
   */
  async function checkAgentSettled(started, row) {
    const { ok, non2xx, sent, statuses } = started.tally;
    const deadline = performance.now() + AGENT_SETTLE_SECONDS * 1000;
    let usage = await started.usage();
    let lastChange = performance.now();
    while (performance.now() < deadline && usage.rows < sent && !(usage.okRows >= ok && performance.now() - lastChange >= 3_000)) {
      await sleep(250);
      const next = await started.usage();
      if (next.rows !== usage.rows) lastChange = performance.now();
      usage = next;
    }
    const cutOff = sent - ok - non2xx;
    return {
      ok,
      non2xx,
      statuses: fmtStatuses(statuses),
      sent,
      cutOff,
      rows: usage.rows,
      okRows: usage.okRows,
      costMicros: usage.cost,
      exact: usage.rows === sent && usage.okRows >= ok && usage.okRows <= ok + cutOff,
      // From the end of the window to the last row seen arriving (polled every 250 ms), or to the first look when all were in.
      seconds: (lastChange - row.windowEnd) / 1000,
      rowsAfterWindow: usage.rows - row.rowsAtEnd,
    };
  }

  /** Polls until a 200, the child exits, or START_TIMEOUT_MS. */
  async function waitHttp(port, method, path, child) {
    const agent = new http.Agent({ keepAlive: false });
    const deadline = performance.now() + START_TIMEOUT_MS;
    try {
      while (performance.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        try {
          const res = await httpRequest(agent, port, method, path);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(50);
      }
      const why = child.exitCode !== null || child.signalCode !== null ? `exited (code ${child.exitCode}, signal ${child.signalCode})` : `no 200 from ${path} within ${START_TIMEOUT_MS / 1000} s`;
      throw new Error(`${child.label} ${why}\n--- stderr ---\n${child.err.text}\n--- stdout ---\n${child.out.text}`);
    } finally {
      agent.destroy();
    }
  }

  /** One request before the load: the answer must be the mock's completion (or stream) with its usage. */
  async function sanityCheck(targetId, scenario, port, req) {
    const agent = new http.Agent({ keepAlive: false });
    let problem = null;
    let status = null;
    try {
      const res = await httpRequest(agent, port, 'POST', req.path, { headers: req.headers, body: req.body });
      status = res.status;
      if (res.status !== 200) problem = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
      else if (scenario.stream) {
        const frames = res.body.split('\n\n').filter((frame) => frame.startsWith('data: '));
        if (!res.body.includes('data: [DONE]')) problem = 'the stream has no [DONE]';
        else if (frames.length < 10) problem = `only ${frames.length} data frames`;
        else if (!/"usage":\{[^}]*"prompt_tokens":24/.test(res.body)) problem = 'no usage chunk in the stream';
        else if (!frames.some((frame) => frame.includes('"content":"Hello"'))) problem = 'no content delta in the stream';
      } else {
        const json = JSON.parse(res.body);
        if (json.object !== 'chat.completion') problem = `object is ${json.object}`;
        else if (json.choices?.[0]?.message?.content !== 'Hello! How can I help you today?') problem = 'unexpected content';
        else if (json.usage?.prompt_tokens !== 24 || json.usage?.completion_tokens !== 9) problem = `unexpected usage ${JSON.stringify(json.usage)}`;
      }
    } catch (error) {
      problem = error.message;
    } finally {
      agent.destroy();
    }
    if (problem) {
      (INFORMATIONAL_TARGETS.has(targetId) ? infoFailures : failures).push(`${targetId} ${scenario.id}: ${problem}`);
      console.error(`  sanity check failed: ${targetId} ${scenario.id}: ${problem}`);
    }
    return status;
  }

  /** Warm-up, then the measured window with CPU, RSS, backing-service and machine accounting. */
  async function measure({ targetId, target, scenario, started, req, connections, mem }) {
    const { child, port } = started;
    const idleRss = memoryOf(child.pid).rss;
    const url = `http://${HOST}:${port}${req.path}`;
    const options = { url, method: 'POST', headers: req.headers, body: req.body, connections, timeout: REQUEST_TIMEOUT_MS / 1000 };
    // An agent's answers are counted in every phase (its usage rows are checked against them).
    const warmSink = started.tally ? answerSink() : null;
    // agent-deferred needs a warm-up rate (to size the lease the window needs).
    const warmup = scenario.deferSettlement ? Math.max(WARMUP, 2) : WARMUP;
    const warm0 = performance.now();
    if (warmup > 0) await cannon({ ...options, duration: warmup }, warmSink);
    const warmRps = warmSink ? warmSink.ok / ((performance.now() - warm0) / 1000) : null;
    // The other servers go idle at once; the gateway keeps settling the warm-up's usage (it would in production too), so does a metered agent's master.
    if (targetId === 'ours' || (targetId === 'agent' && started.metering)) await sleep(300);
    else await waitIdle(child.pid, 5_000);
    // agent-deferred: leases that cover the whole window, then the master's process group stopped.
    const lease = scenario.deferSettlement ? await primeLeases(started, options, warmRps, connections, warmSink) : null;
    if (warmSink) countSink(started.tally, warmSink);
    if (lease) started.pause();
    const paused0 = performance.now();

    const isOurs = targetId === 'ours';
    const latencies = new Float64Array(LATENCY_CAPACITY);
    const sink = { latencies, count: 0, ok: 0, non2xx: 0, sent: 0, firstNon2xx: null, ...(started.tally ? { statuses: {} } : {}) };
    const rss = { peak: 0 };
    const sampler = setInterval(() => {
      const value = memoryOf(child.pid).rss;
      if (value !== null && value > rss.peak) rss.peak = value;
    }, 200);
    const rows0 = isOurs && backends.database ? await backends.database.usageRows() : started.usage ? (await started.usage()).rows : null;
    const counts0 = scenario.countChannels ? await mockCounts() : null;
    const cpu0 = procCpu(child.pid);
    const mock0 = targetId === 'mock' ? null : procCpu(mockPid());
    const procs0 = processSnapshot();
    const sys0 = machineCpu();
    const self0 = process.cpuUsage();
    const hr0 = process.hrtime.bigint();
    const t0 = performance.now();
    const result = await cannon({ ...options, duration: DURATION }, sink);
    const elapsed = (performance.now() - t0) / 1000;
    const hr1 = process.hrtime.bigint();
    const self1 = process.cpuUsage(self0);
    const sys1 = machineCpu();
    const procs1 = processSnapshot();
    const mock1 = targetId === 'mock' ? null : procCpu(mockPid());
    const cpu1 = procCpu(child.pid);
    clearInterval(sampler);
    if (lease) {
      started.resume();
      lease.pausedSeconds = (performance.now() - paused0) / 1000;
    }
    if (started.tally) countSink(started.tally, sink);
    const counts1 = counts0 === null ? null : await mockCounts();
    const rows1 = rows0 === null ? null : isOurs ? await backends.database.usageRows() : (await started.usage()).rows;
    const backlog = isOurs && backends.redis && started.redisPrefix ? await backends.redis.waiting(started.redisPrefix) : null;
    const last = memoryOf(child.pid).rss;
    if (last !== null && last > rss.peak) rss.peak = last;
    mem.peakRss = Math.max(mem.peakRss, rss.peak);

    const sorted = latencies.subarray(0, Math.min(sink.count, LATENCY_CAPACITY)).sort();
    const ok = sink.ok;
    const perReq = (ticks) => (ok ? (ticks / CLK_TCK / ok) * 1e6 : NaN);
    const cores = (ticks) => ticks / CLK_TCK / elapsed;
    const serverTicks = cpu1 - cpu0;
    const mockTicks = mock0 === null ? 0 : mock1 - mock0;
    const elsewhere = cpuElsewhere(procs0, procs1, new Set([process.pid, child.pid, mockPid()]), started.backendGroup);
    const backendTicks = elsewhere.backend;
    const clientCores = (self1.user + self1.system) / 1e6 / elapsed;
    const machineCores = (sys1.busy - sys0.busy) / CLK_TCK / elapsed;
    // Named consumers elsewhere on the machine (> 0.05 cores), and the kernel time nobody was charged for.
    const otherNamed = [...elsewhere.others.entries()].map(([comm, ticks]) => ({ comm, cores: cores(ticks) })).filter((o) => o.cores >= 0.05).sort((a, b) => b.cores - a.cores);
    // Requests each weighted channel received during the window (the mock counts per path prefix), against its weight.
    let channelShares = null;
    if (counts1) {
      const received = WEIGHTED_CHANNELS.map((c) => (counts1[c.prefix] ?? 0) - (counts0[c.prefix] ?? 0));
      const total = received.reduce((a, b) => a + b, 0);
      const weights = WEIGHTED_CHANNELS.reduce((a, c) => a + c.weight, 0);
      channelShares = WEIGHTED_CHANNELS.map((c, i) => ({ name: c.name, weight: c.weight, requests: received[i], share: total ? received[i] / total : NaN, expected: c.weight / weights }));
    }
    return {
      targetId,
      target: target.label,
      scenario,
      connections,
      requests: ok,
      seconds: elapsed,
      rps: ok / elapsed,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      cpuPerReqUs: perReq(serverTicks),
      serverCores: cores(serverTicks),
      mockCpuPerReqUs: mock0 === null ? null : perReq(mockTicks),
      backendCpuPerReqUs: perReq(backendTicks),
      backendCores: cores(backendTicks),
      otherNamed,
      clientCores,
      machineCores,
      otherCores: Math.max(0, machineCores - cores(serverTicks) - cores(mockTicks) - cores(backendTicks) - clientCores),
      peakRss: rss.peak,
      idleRss,
      settledPerSecond: rows0 === null ? null : (rows1 - rows0) / elapsed,
      backlog,
      channelShares,
      errors: result.errors + result.timeouts + sink.non2xx,
      firstError: sink.firstNon2xx ?? (result.errors ? `${result.errors} socket errors` : result.timeouts ? `${result.timeouts} timeouts` : null),
      window: { start: Number(hr0 / 1000n), end: Number(hr1 / 1000n) },
      windowEnd: performance.now(),
      windowNon2xx: sink.non2xx,
      rowsAtEnd: rows1,
      warmRps,
      lease,
    };
  }

  /**
   * After the main load, the same gateway process with no traffic: how fast it
   * settles the usage backlog (rows written to Postgres per second), and what a
   * row costs in gateway and Postgres/Redis CPU. Bounded by SETTLE_SECONDS.
   */
  async function measureSettlement(started, row) {
    const { child } = started;
    const t0 = performance.now();
    const rows0 = await backends.database.usageRows();
    const cpu0 = procCpu(child.pid);
    const procs0 = processSnapshot();
    let backlogLeft = row.backlog;
    const deadline = t0 + SETTLE_SECONDS * 1000;
    while (performance.now() < deadline) {
      await sleep(500);
      backlogLeft = backends.redis ? await backends.redis.waiting(started.redisPrefix) : null;
      if (backlogLeft === 0) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    const rows = (await backends.database.usageRows()) - rows0;
    const gatewayTicks = procCpu(child.pid) - cpu0;
    const backendTicks = cpuElsewhere(procs0, processSnapshot(), new Set([process.pid, child.pid, mockPid()])).backend;
    return {
      seconds,
      rows,
      rowsPerSecond: rows / seconds,
      gatewayUsPerRow: rows ? (gatewayTicks / CLK_TCK / rows) * 1e6 : NaN,
      backendUsPerRow: rows ? (backendTicks / CLK_TCK / rows) * 1e6 : NaN,
      gatewayCores: gatewayTicks / CLK_TCK / seconds,
      backendCores: backendTicks / CLK_TCK / seconds,
      backlogAtEnd: row.backlog,
      backlogLeft,
      windowRps: row.rps,
    };
  }

  /** Waits until processes other than ours (and our idle server) use < 0.15 cores over 500 ms; returns the last figure. */
  async function waitQuiet(serverPid, maxMs) {
    const deadline = performance.now() + maxMs;
    const own = new Set([process.pid, serverPid, mockPid()]);
    let foreign = 0;
    do {
      const before = processSnapshot();
      const sys0 = machineCpu();
      await sleep(500);
      const sys1 = machineCpu();
      const after = processSnapshot();
      let ownTicks = 0;
      for (const pid of own) ownTicks += (after.get(pid)?.ticks ?? 0) - (before.get(pid)?.ticks ?? 0);
      foreign = Math.max(0, (sys1.busy - sys0.busy - ownTicks) / CLK_TCK / 0.5);
      if (foreign < 0.15) return foreign;
    } while (performance.now() < deadline);
    return foreign;
  }

  function mockPid() {
    for (const child of children) if (child.label === 'mock') return child.pid;
    return null;
  }

  /** The mock's request counts per path prefix since its start ({ c1, c2, …, fail }). */
  async function mockCounts() {
    let port = null;
    for (const child of children) if (child.label === 'mock') port = child.port;
    const agent = new http.Agent({ keepAlive: false });
    try {
      const res = await httpRequest(agent, port, 'GET', '/__counts');
      if (res.status !== 200) throw new Error(`mock /__counts: HTTP ${res.status}`);
      return JSON.parse(res.body);
    } finally {
      agent.destroy();
    }
  }

  /** autocannon, bounded by its duration (+30 s hard stop); latencies of 2xx answers go to `sink`. */
  function cannon(options, sink) {
    return new Promise((done, fail) => {
      let settled = false;
      const instance = autocannon(options, (error, result) => {
        settled = true;
        clearTimeout(guard);
        if (error) fail(error);
        else {
          // Requests written, answered or not (the last one on each connection is cut off when the run ends).
          if (sink) sink.sent += result.requests?.sent ?? 0;
          done(result);
        }
      });
      const guard = setTimeout(() => {
        if (!settled) instance.stop();
      }, (options.duration + 30) * 1000);
      if (sink) {
        instance.on('response', (_client, status, _bytes, responseTime) => {
          if (status >= 200 && status < 300) {
            sink.ok += 1;
            if (sink.count < LATENCY_CAPACITY) sink.latencies[sink.count] = responseTime;
            sink.count += 1;
          } else {
            sink.non2xx += 1;
            sink.firstNon2xx ??= `HTTP ${status}`;
            // Agent rows: every status other than 2xx, counted (their usage rows are checked).
            if (sink.statuses) sink.statuses[status] = (sink.statuses[status] ?? 0) + 1;
          }
        });
      }
    });
  }

  /** Waits until the process uses < 5 % of a core over 250 ms, at most maxMs. */
  async function waitIdle(pid, maxMs) {
    const deadline = performance.now() + maxMs;
    let previous = procCpu(pid);
    while (performance.now() < deadline) {
      await sleep(250);
      const now = procCpu(pid);
      if (now === null || (now - previous) / CLK_TCK < 0.0125) return;
      previous = now;
    }
  }

  /**
   * The cost of one failed attempt: sequential non-streaming requests on one keep-alive
   * socket, no other load, alternating between the direct model and `bench-failover`
   * (its first channel answers 500, its second is the same mock channel as the direct
   * model's), which of the two goes first alternating too. Whole-response latency of
   * each; the mock's count of the failing prefix says how many failover requests really
   * tried the failing channel (a circuit breaker skipping it would hide the cost).
   */
  async function measureFailover(started, reqs, requests = FAILOVER_REQUESTS) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const kinds = ['direct', 'failover'];
    const times = { direct: [], failover: [] };
    const failed = { direct: 0, failover: 0 };
    let firstFailure = null;
    let counts0 = null;
    const deadline = performance.now() + 120_000;
    try {
      for (let i = 0; i < FAILOVER_WARMUP + requests && performance.now() < deadline; i += 1) {
        if (i === FAILOVER_WARMUP) {
          await waitIdle(started.child.pid, 5_000);
          counts0 = await mockCounts();
        }
        for (const kind of i % 2 ? [kinds[1], kinds[0]] : kinds) {
          try {
            const timing = await streamedRequest(agent, started.port, reqs[kind], kind);
            if (i >= FAILOVER_WARMUP) times[kind].push(timing.total);
          } catch (error) {
            if (i >= FAILOVER_WARMUP) failed[kind] += 1;
            firstFailure ??= error.message;
          }
        }
      }
    } finally {
      agent.destroy();
    }
    const counts1 = await mockCounts();
    const stats = (kind) => {
      const sorted = Float64Array.from(times[kind]).sort();
      return {
        count: sorted.length,
        failed: failed[kind],
        p50: percentile(sorted, 50),
        p90: percentile(sorted, 90),
        p99: percentile(sorted, 99),
        mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      };
    };
    const direct = stats('direct');
    const fail = stats('failover');
    return {
      direct,
      failover: fail,
      addedP50: fail.p50 - direct.p50,
      addedMean: fail.mean - direct.mean,
      failingAttempts: counts0 === null ? 0 : (counts1.fail ?? 0) - (counts0.fail ?? 0),
      firstFailure,
      errors: direct.failed + fail.failed,
    };
  }

  /** Sequential streamed requests on one keep-alive socket, no other load: time to the first body byte. */
  async function measureTtfb(started, req, requests = TTFB_REQUESTS) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const firstBytes = [];
    const totals = [];
    const deadline = performance.now() + 120_000;
    let hr0 = null;
    let cpu0 = null;
    try {
      for (let i = 0; i < TTFB_WARMUP + requests && performance.now() < deadline; i += 1) {
        if (i === TTFB_WARMUP) {
          await waitIdle(started.child.pid, 5_000);
          hr0 = process.hrtime.bigint();
          cpu0 = procCpu(started.child.pid);
        }
        const timing = await streamedRequest(agent, started.port, req);
        if (i >= TTFB_WARMUP) {
          firstBytes.push(timing.firstByte);
          totals.push(timing.total);
        }
      }
    } finally {
      agent.destroy();
    }
    const hr1 = process.hrtime.bigint();
    const cpuTicks = procCpu(started.child.pid) - cpu0;
    const sorted = Float64Array.from(firstBytes).sort();
    return {
      window: { start: Number(hr0 / 1000n), end: Number(hr1 / 1000n) },
      cpuPerReqUs: firstBytes.length ? (cpuTicks / CLK_TCK / firstBytes.length) * 1e6 : NaN,
      count: firstBytes.length,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      mean: firstBytes.reduce((a, b) => a + b, 0) / Math.max(1, firstBytes.length),
      totalP50: percentile(Float64Array.from(totals).sort(), 50),
    };
  }

  /** One request on `agent`: time to the first body byte and to the end; rejects on anything but a 200 with a body. */
  function streamedRequest(agent, port, req, label = 'TTFB') {
    return new Promise((done, fail) => {
      const payload = Buffer.from(req.body);
      const t0 = performance.now();
      let firstByte = null;
      const request = http.request(
        { host: HOST, port, method: 'POST', path: req.path, agent, headers: { ...req.headers, 'content-length': payload.length }, timeout: REQUEST_TIMEOUT_MS },
        (res) => {
          res.on('data', () => {
            firstByte ??= performance.now() - t0;
          });
          res.on('end', () => {
            if (res.statusCode !== 200 || firstByte === null) fail(new Error(`${label}: HTTP ${res.statusCode}`));
            else done({ firstByte, total: performance.now() - t0 });
          });
          res.on('error', fail);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${label}: request timed out`)));
      request.on('error', fail);
      request.end(payload);
    });
  }
}

// ─────────────────────────────── gateway config ───────────────────────────────

/**
 * What one bench chat answer costs on `bench-openai` (input 1.25, output 10 USD per million
 * tokens, as in gatewayConfig; the mock reports 24 prompt and 9 completion tokens), micro-USD.
 */
const CHAT_COST_MICROS = 24 * 1.25 + 9 * 10;
/** Above one bench chat request's reservation (its prompt bound at the input price + max_tokens 64 at the output price), micro-USD. */
const CHAT_RESERVATION_MICROS = 1_000;
/**
 * agent-deferred: the lease must hold this many times what the window would spend at the
 * warm-up's rate. The window runs faster than the warm-up: no master, worker or Postgres
 * beside it (3.4× measured once, with a cold first warm-up).
 */
const LEASE_MARGIN = 6;

/** The `bench-weighted` model's channels: one priority, these weights, each under its own mock path prefix. */
const WEIGHTED_CHANNELS = [1, 2, 3, 4].map((weight, i) => ({ name: `bench-weighted-${i + 1}`, prefix: `c${i + 1}`, weight }));

/**
 * Merged into the failing channel (A) of `bench-failover`: its circuit breaker never
 * opens, so every failover request pays for one real failed attempt (a breaker opening
 * after a few 500s in a row would skip channel A and hide the cost).
 */
const FAILOVER_CHANNEL_SETTINGS = { settings: { breaker: { enabled: false } } };

/**
 * The `routing:` config section of the gateway started for the failover figure only
 * (every other request of that measurement is a retry, far above the default retry
 * budget of 0.2 per first attempt). The throughput rows run on the defaults.
 */
const FAILOVER_ROUTING = { retry_budget_ratio: 10, breaker: { enabled: false } };

/**
 * The gateway's config. Entries in JSON (a YAML flow mapping). A route's priority and
 * weight decide for the model it routes (a channel's own only for the models it lists).
 * - bench-openai / bench-anthropic: one channel each (the throughput and TTFB rows);
 * - bench-failover: channel A (base URL under the mock's /fail prefix: 500 to everything)
 *   at priority 10, then the bench-openai channel at priority 0;
 * - bench-weighted: WEIGHTED_CHANNELS, priority 0, weights 1:2:3:4, base URLs /c1/v1 … /c4/v1.
 */
function gatewayConfig({ mockUrl, token, failoverRouting = false, metering = true }) {
  const flow = (value) => JSON.stringify(value);
  const failing = { name: 'bench-failover-a', type: 'openai', base_url: `${mockUrl}/fail/v1`, key: 'sk-upstream-failover-bench', ...FAILOVER_CHANNEL_SETTINGS };
  const weighted = WEIGHTED_CHANNELS.map((c) => ({ name: c.name, type: 'openai', base_url: `${mockUrl}/${c.prefix}/v1`, key: `sk-upstream-weighted-bench-${c.prefix}` }));
  return `# written by bench/relay.mjs
log_level: warn
${failoverRouting ? `routing: ${flow(FAILOVER_ROUTING)}\n` : ''}${metering ? '' : 'relay_metering: false\n'}bootstrap:
  users:
    - { username: bench, role: user, balance_usd: 1000000 }
  channels:
    - { name: bench-openai, type: openai, base_url: "${mockUrl}/v1", key: sk-upstream-openai-bench, models: [gpt-bench] }
    - { name: bench-anthropic, type: anthropic, base_url: "${mockUrl}", key: sk-ant-upstream-bench, models: [claude-bench] }
    - ${flow(failing)}
${weighted.map((c) => `    - ${flow(c)}\n`).join('')}  models:
    - { name: bench-openai, price: { input: 1.25, output: 10 } }
    - { name: bench-anthropic, price: { input: 3, output: 15 } }
    - { name: bench-failover, price: { input: 1.25, output: 10 } }
    - { name: bench-weighted, price: { input: 1.25, output: 10 } }
  routes:
    - { model: bench-openai, channel: bench-openai, upstream_model: gpt-bench }
    - { model: bench-anthropic, channel: bench-anthropic, upstream_model: claude-bench }
    - { model: bench-failover, channel: bench-failover-a, upstream_model: gpt-bench, priority: 10 }
    - { model: bench-failover, channel: bench-openai, upstream_model: gpt-bench, priority: 0 }
${WEIGHTED_CHANNELS.map((c) => `    - { model: bench-weighted, channel: ${c.name}, upstream_model: gpt-bench, priority: 0, weight: ${c.weight} }\n`).join('')}  tokens:
    - { name: bench, key: "${token}", user: bench }
`;
}

// ─────────────────────────────── profile analysis ───────────────────────────────

/**
 * Self and inclusive time per function from a V8 .cpuprofile, restricted to
 * the measured window when the profile's clock (CLOCK_MONOTONIC µs) covers it.
 */
function analyzeProfile(file, window) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOf = new Map();
  const info = new Map();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const url = shortUrl(frame.url);
    const name = frame.functionName || '(anonymous)';
    const key = url ? `${name} ${url}:${frame.lineNumber + 1}` : name;
    keyOf.set(node.id, key);
    if (!info.has(key)) info.set(key, { name, url, line: frame.lineNumber + 1, category: categoryOf(frame.url, name) });
  }
  const { samples, timeDeltas } = profile;
  const stamps = new Float64Array(samples.length);
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i += 1) {
    t += timeDeltas[i];
    stamps[i] = t;
  }
  const inWindow = window && stamps.length && stamps[0] <= window.end && stamps[stamps.length - 1] >= window.start;
  const self = new Map();
  const inclusive = new Map();
  const categories = new Map();
  // For native/builtin self time (writeUtf8String, writev, …): the nearest library or aigw frame above it.
  const owners = new Map(); // key -> Map(owner -> µs)
  const ownerOf = (id) => {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const url = nodes.get(at).callFrame.url;
      if (url && !url.startsWith('node:')) {
        const item = info.get(keyOf.get(at));
        return `${item.category}: ${item.name}`;
      }
    }
    return '(no library frame)';
  };
  let total = 0;
  let idle = 0;
  for (let i = 0; i < samples.length; i += 1) {
    if (inWindow && (stamps[i] < window.start || stamps[i] > window.end)) continue;
    const dt = i + 1 < samples.length ? timeDeltas[i + 1] : 0;
    const key = keyOf.get(samples[i]);
    if (key === '(idle)') {
      idle += dt;
      continue;
    }
    total += dt;
    self.set(key, (self.get(key) ?? 0) + dt);
    const category = info.get(key).category;
    categories.set(category, (categories.get(category) ?? 0) + dt);
    if (!info.get(key).url || info.get(key).url.startsWith('node:')) {
      const byOwner = owners.get(key) ?? new Map();
      const owner = ownerOf(samples[i]);
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + dt);
      owners.set(key, byOwner);
    }
    const seen = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const k = keyOf.get(id);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const rank = (map, filter = () => true, limit = 25) =>
    [...map.entries()]
      .filter(([key]) => filter(info.get(key)))
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, us]) => ({ ...info.get(key), share: us / total, ms: us / 1000 }));
  const topSelf = rank(self);
  for (const entry of topSelf) {
    const byOwner = owners.get(entry.url ? `${entry.name} ${entry.url}:${entry.line}` : entry.name);
    if (!byOwner || entry.name.startsWith('(')) continue;
    const sum = [...byOwner.values()].reduce((a, b) => a + b, 0);
    entry.owners = [...byOwner.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([owner, us]) => `${owner} ${Math.round((us / sum) * 100)} %`);
  }
  return {
    windowed: Boolean(inWindow),
    busyMs: total / 1000,
    idleMs: idle / 1000,
    topSelf,
    categories: [...categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([name, us]) => ({ name, share: us / total })),
    ourInclusive: rank(inclusive, (item) => item.url.startsWith('dist/'), 18),
    frameworkInclusive: rank(inclusive, (item) => /node_modules\/(@nestjs|fastify|find-my-way|avvio|light-my-request|rxjs|undici|bullmq|ioredis|pino)/.test(item.url), 18),
  };
}

function shortUrl(url) {
  if (!url) return '';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(root) ? relative(root, path) : path;
}

function categoryOf(url, name) {
  if (!url) {
    if (name.startsWith('(')) return name; // (garbage collector), (program), (root)
    return 'V8/native builtins';
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = path.slice(modules + 14).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (path.startsWith('node:')) {
    const module = path.slice(5).replace(/^internal\//, '').split('/')[0];
    return `node:${module}`;
  }
  const dist = path.indexOf('/dist/');
  if (dist >= 0) {
    const parts = path.slice(dist + 6).split('/');
    return `aigw ${parts[0]}/${parts[1]}`;
  }
  return relative(root, path);
}

function renderProfile({ scenario, row, analysis, error }, compact = false) {
  if (error) return `### Profile: ${scenario.label}\n\n${error}\n`;
  const under =
    row.mode === 'ttfb'
      ? `${fmtInt(row.ttfb.count)} sequential streamed requests; under the profiler TTFB p50 ${row.ttfb.p50.toFixed(3)} ms, ${row.cpuPerReqUs.toFixed(0)} µs CPU/req`
      : `under the profiler ${fmtInt(row.rps)} req/s, p50 ${row.p50.toFixed(2)} ms, ${row.cpuPerReqUs.toFixed(0)} µs CPU/req`;
  const lines = [
    `### Profile: ${row.mode === 'ttfb' ? 'streamed chat, sequential requests (stream TTFB)' : `${scenario.label}, ${row.connections} connections`}`,
    '',
    `\`--cpu-prof\` (1 ms sampling) on a fresh gateway child; ${analysis.windowed ? 'samples of the measured window only' : 'the whole process (the window could not be aligned)'}: ` +
      `${analysis.busyMs.toFixed(0)} ms on CPU, ${analysis.idleMs.toFixed(0)} ms idle; ${under}.`,
    '',
    '| self % | function | where (for native code: the nearest library / aigw caller) |',
    '| ---: | --- | --- |',
    ...analysis.topSelf.slice(0, compact ? 12 : undefined).map((f) => `| ${(f.share * 100).toFixed(1)} | \`${cell(f.name)}\` | ${f.url ? `${cell(f.url)}:${f.line}` : ''}${f.owners ? `${f.url ? '; ' : ''}from ${cell(f.owners.join(', '))}` : ''} |`),
    '',
    '| self % by package / area | |',
    '| ---: | --- |',
    ...analysis.categories.slice(0, compact ? 10 : undefined).map((c) => `| ${(c.share * 100).toFixed(1)} | ${cell(c.name)} |`),
    '',
  ];
  if (compact) return lines.join('\n');
  lines.push(
    '| inclusive % (aigw code) | function | where |',
    '| ---: | --- | --- |',
    ...analysis.ourInclusive.map((f) => `| ${(f.share * 100).toFixed(1)} | \`${cell(f.name)}\` | ${cell(f.url)}:${f.line} |`),
    '',
    '| inclusive % (framework) | function | where |',
    '| ---: | --- | --- |',
    ...analysis.frameworkInclusive.map((f) => `| ${(f.share * 100).toFixed(1)} | \`${cell(f.name)}\` | ${cell(f.url)}:${f.line} |`),
    '',
  );
  return lines.join('\n');
}

// ─────────────────────────────────── report ───────────────────────────────────

/** One line per routing figure, for the console and the report (informational, no threshold). */
function routingSummary({ results, failover, MAX_CONN }) {
  const lines = [];
  if (failover) {
    lines.push(
      `one failed attempt (500, then success on the next channel) adds p50 ${signed(failover.addedP50)} ms, mean ${signed(failover.addedMean)} ms ` +
        `(${failover.failover.p50.toFixed(3)} vs ${failover.direct.p50.toFixed(3)} ms p50, sequential; failing channel tried on ${failover.failingAttempts} of ${failover.failover.count + failover.failover.failed} requests)`,
    );
  }
  const weighted = results.find((r) => r.targetId === 'ours' && r.scenario.id === 'weighted' && r.connections === MAX_CONN);
  const single = results.find((r) => r.targetId === 'ours' && r.scenario.id === 'chat' && r.connections === MAX_CONN);
  if (weighted) {
    lines.push(
      `${WEIGHTED_CHANNELS.length} weighted channels ${fmtInt(weighted.rps)} req/s, ${weighted.cpuPerReqUs.toFixed(0)} µs/req @${MAX_CONN}` +
        (single ? ` = ${pct(weighted.rps / single.rps)} of 1 channel (${fmtInt(single.rps)} req/s, ${single.cpuPerReqUs.toFixed(0)} µs/req)` : ' (no 1-channel chat row to compare with)') +
        (weighted.channelShares ? `; shares ${weighted.channelShares.map((c) => pct(c.share)).join(' / ')} for weights ${weighted.channelShares.map((c) => pct(c.expected)).join(' / ')}` : ''),
    );
  }
  return lines;
}

/** The routing section of the report: failover cost and weighted routing. */
function renderRouting({ meta, results, failover }) {
  const weighted = results.find((r) => r.targetId === 'ours' && r.scenario.id === 'weighted');
  if (!failover && !weighted) return [];
  const lines = ['Routing (informational figures, no threshold).', ''];
  if (failover) {
    const f = failover;
    const row = (label, attempts, s) =>
      `| ${label} | ${attempts} | ${s.p50.toFixed(3)} | ${s.p90.toFixed(3)} | ${s.p99.toFixed(3)} | ${s.mean.toFixed(3)} | ${s.failed} |`;
    lines.push(
      `Failover cost: ${meta.FAILOVER_REQUESTS} sequential non-streaming chat requests per model on one keep-alive connection, alternating between the two models (after ${meta.FAILOVER_WARMUP} warm-up requests each), fresh gateway, no other load. ` +
        '`bench-failover` is routed first (priority 10) to a channel whose base URL is under the mock\'s `/fail` prefix, which answers every request `500` with an OpenAI `server_error` body, then (priority 0) to the same mock channel as `bench-openai`; ' +
        'the gateway retries the 500 on the next candidate. Whole-response latency.',
      '',
      '| model | upstream attempts | p50 ms | p90 ms | p99 ms | mean ms | failed |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      row('`bench-openai` (direct)', 1, f.direct),
      row('`bench-failover` (500, then success)', 2, f.failover),
      '',
      `Added latency of one failed attempt: **p50 ${signed(f.addedP50)} ms, mean ${signed(f.addedMean)} ms**. ` +
        `The failing channel was tried on ${f.failingAttempts} of the ${f.failover.count + f.failover.failed} measured failover requests` +
        (f.failingAttempts < f.failover.count + f.failover.failed ? ' (fewer: something, e.g. a circuit breaker, skipped it, and the figure understates the cost)' : '') +
        (f.errors ? `; ${f.errors} requests failed (${cell(f.firstFailure)})` : '') +
        '.',
      '',
    );
  }
  if (weighted) {
    const single = results.find((r) => r.targetId === 'ours' && r.scenario.id === 'chat' && r.connections === weighted.connections);
    const row = (label, r) =>
      `| ${label} | ${fmtInt(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuPerReqUs.toFixed(0)} | ${single ? pct(r.rps / single.rps) : '—'} |`;
    lines.push(
      `Weighted routing: \`bench-weighted\` is served by ${WEIGHTED_CHANNELS.length} channels of one priority with weights ${WEIGHTED_CHANNELS.map((c) => c.weight).join(':')}, all on the mock (each its own keep-alive pool in the gateway, and its own path prefix the mock counts), against the 1-channel \`bench-openai\` chat row; non-streaming, ${weighted.connections} connections, each row on a fresh gateway.`,
      '',
      '| model | req/s | p50 ms | p99 ms | server CPU µs/req | vs 1 channel |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...(single ? [row('`bench-openai` (1 channel)', single)] : []),
      row(`\`bench-weighted\` (${WEIGHTED_CHANNELS.length} channels)`, weighted),
      '',
    );
    if (weighted.channelShares) {
      lines.push(
        `Requests per channel during the measured window (${fmtInt(weighted.channelShares.reduce((a, c) => a + c.requests, 0))} in all): ` +
          weighted.channelShares.map((c) => `${c.name} ${pct(c.share)} (weight ${c.weight}: ${pct(c.expected)})`).join(', ') +
          '.',
        '',
      );
    }
  }
  return lines;
}

/** One line per remote agent figure, for the console and the report (informational, no threshold). */
function agentSummary({ results, MAX_CONN, CONNECTIONS }) {
  const find = (target, scenario, connections = MAX_CONN) => results.find((r) => r.targetId === target && r.scenario.id === scenario && r.connections === connections);
  const lines = [];
  const ratio = (name, a, b) => a && b && lines.push(`${name} ${pct(a.rps / b.rps)} (${fmtInt(a.rps)} / ${fmtInt(b.rps)} req/s)`);
  const unmetered = find('agent', 'agent-unmetered');
  ratio(`agent metered / agent unmetered chat @${MAX_CONN}`, find('agent', 'chat'), unmetered);
  ratio(`agent metered, settlement deferred / agent unmetered chat @${MAX_CONN}`, find('agent', 'agent-deferred'), unmetered);
  for (const c of CONNECTIONS) ratio(`agent/ours chat @${c}`, find('agent', 'chat', c), find('ours', 'chat', c));
  for (const c of CONNECTIONS) ratio(`agent/ours stream @${c}`, find('agent', 'stream', c), find('ours', 'stream', c));
  ratio(`agent unmetered / ours unmetered chat @${MAX_CONN}`, unmetered, find('ours', 'unmetered'));
  const deferred = find('agent', 'agent-deferred');
  if (deferred?.agentSettle) {
    const a = deferred.agentSettle;
    lines.push(
      `agent-deferred usage after the master came back: ${fmtInt(a.rows)} rows settled for ${fmtInt(a.sent)} requests sent, ${fmtInt(a.okRows)} with a 2xx status for ${fmtInt(a.ok)} 2xx answers + ${fmtInt(a.cutOff)} cut off in flight` +
        ` (${a.exact ? 'every request metered once' : 'MISMATCH'}; all in within ${a.seconds.toFixed(1)} s of the window's end)`,
    );
  }
  return lines;
}

/** The remote agent section of the report: what each figure means, and the usage check of the metered agent rows. */
function renderAgent({ meta, results, CONNECTIONS }) {
  const rows = results.filter((r) => r.targetId === 'agent');
  const problems = meta.infoFailures.length ? ['Problems of the remote agent target (reported, not failing the run):', '', ...meta.infoFailures.map((f) => `- ${cell(f)}`), ''] : [];
  if (!rows.length) return problems;
  const MAX_CONN = meta.MAX_CONN;
  const find = (target, scenario, connections = MAX_CONN) => results.find((r) => r.targetId === target && r.scenario.id === scenario && r.connections === connections);
  const lines = [
    'Remote agent (informational figures, no threshold; never fail the run).',
    '',
    `Target e is a remote agent process enrolled with a master started as for c; the master, its settlement worker, Postgres and Redis run on the same ${os.cpus().length} cores as the agent, the mock and the load generator. What the rows of e measure:`,
    '',
    `- **chat / stream** (metered): per request the agent reserves the worst case from quota leases it holds in memory, appends the usage record to its spool (\`<data_dir>/usage-spool\`, one write per 50 ms group commit, an fdatasync at most every 500 ms) and ships it over the WebSocket; the master validates and settles it (settlement worker → Postgres) while the load runs, taking CPU from the agent.`,
    `- **agent-unmetered**: an agent with \`relay_metering: false\` (no usage record, reservation, lease or rate limit); its master stays as it is, and idle.`,
    `- **agent-deferred**: a metered agent whose master process group (master + settlement worker) is stopped with SIGSTOP after the warm-up and continued with SIGCONT after the window: the window measures the agent's own metering (reservations against leases in memory, spool appends with fsync), nothing is settled during it (Postgres and Redis idle); the spooled usage settles once the master is back, and the check below counts it. Before the window the agent's user lease is grown (${meta.AGENT_PRIME_MAX_TOKENS > 0 ? `priming requests with max_tokens ${fmtInt(meta.AGENT_PRIME_MAX_TOKENS)}, whose worst-case reservations make the lease double per top-up within a second; same answer, same cost` : 'plain warm-up only'}) until it holds ${LEASE_MARGIN}× what the window would spend at the warm-up's rate: the bench token has no quota and the user's balance is $1,000,000, so with the master stopped the agent serves from that lease (\`lease_offline: serve\`).`,
    '',
  ];
  const figure = (name, a, b, what) => (a && b ? [`| ${name} | ${fmtInt(a.rps)} / ${fmtInt(b.rps)} | ${pct(a.rps / b.rps)} | ${what} |`] : []);
  const unmetered = find('agent', 'agent-unmetered');
  const table = [
    ...figure(`agent metered / agent unmetered, chat @${MAX_CONN}`, find('agent', 'chat'), unmetered, 'metering and quota on an agent with settlement running beside it on this machine'),
    ...figure(`agent metered, settlement deferred / agent unmetered, chat @${MAX_CONN}`, find('agent', 'agent-deferred'), unmetered, "the data plane's own metering cost (settlement deferred)"),
    ...CONNECTIONS.flatMap((c) => figure(`agent / ours, chat @${c}`, find('agent', 'chat', c), find('ours', 'chat', c), 'a remote agent against the master with its embedded agent, both metered, settlement on this machine')),
    ...CONNECTIONS.flatMap((c) => figure(`agent / ours, stream @${c}`, find('agent', 'stream', c), find('ours', 'stream', c), 'the same, streaming')),
    ...figure(`agent unmetered / ours unmetered, chat @${MAX_CONN}`, unmetered, find('ours', 'unmetered'), 'the relay alone, without metering'),
  ];
  if (table.length) lines.push('| figure | req/s | ratio | what it measures |', '| --- | ---: | ---: | --- |', ...table, '');
  const checked = rows.filter((r) => r.agentSettle);
  if (checked.length) {
    lines.push(
      `Usage of the metered agent rows: the usage rows of that agent in Postgres (\`usage_logs.agent_id\`), waited for up to ${meta.AGENT_SETTLE_SECONDS} s after the window, against the requests the load generator sent the agent over its whole life (readiness probe, sanity request, warm-up, lease priming, window). ` +
        'Each request that reached the agent is metered once: answered 2xx, answered otherwise, or cut off in flight when a load-generator run ended (autocannon closes its connections with the last request of each unanswered; the agent still finishes it, a 2xx row, or sees the client go, a 499 row). ' +
        'So the check is: usage rows = requests sent, and 2xx answers ≤ rows with a 2xx status ≤ 2xx answers + cut off.',
      '',
      '| row | requests sent | answered 2xx | answered otherwise | cut off in flight | usage rows | rows with a 2xx status | every request metered once | all in within (from the window end) | rows/s settled during the window | after it (deferred) | cost per row µUSD |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
      ...checked.map((r) => {
        const a = r.agentSettle;
        return (
          `| ${r.scenario.id} @${r.connections} | ${fmtInt(a.sent)} | ${fmtInt(a.ok)} | ${fmtInt(a.non2xx)}${a.non2xx ? ` (${a.statuses})` : ''} | ${fmtInt(a.cutOff)} | ${fmtInt(a.rows)} | ${fmtInt(a.okRows)} | ${a.exact ? 'yes' : '**no**'} | ${a.seconds.toFixed(1)} s | ` +
          `${r.settledPerSecond === null ? '—' : fmtInt(r.settledPerSecond)} | ${r.lease && a.seconds > 0 ? fmtInt(a.rowsAfterWindow / a.seconds) : '—'} | ${a.rows ? (a.costMicros / a.rows).toFixed(1) : '—'} |`
        );
      }),
      '',
    );
  }
  for (const r of rows.filter((row) => row.lease)) {
    const l = r.lease;
    lines.push(
      `agent-deferred @${r.connections}: the agent's user lease held ${usd(l.held)} at the window's start (wanted ≥ ${usd(l.need)}: ${LEASE_MARGIN} × ${fmtInt(l.warmRps)} req/s × ${meta.DURATION} s × ${CHAT_COST_MICROS} µUSD + ${r.connections} reservations in flight)` +
        `${l.rounds ? ` after ${l.rounds} priming round${l.rounds > 1 ? 's' : ''} (${l.primeSeconds.toFixed(1)} s)` : ''}; the master's group was stopped for ${l.pausedSeconds.toFixed(1)} s; ` +
        `${fmtInt(r.requests)} 2xx answers and ${fmtInt(r.errors)} failed requests in the window${r.errors ? ` (first: ${cell(r.firstError)})` : ''}.`,
      '',
    );
  }
  lines.push(...problems);
  return lines;
}

function renderReport({ meta, results, ttfb, memory, acceptance, info, failover = null, profileReport, CONNECTIONS, compact = false }) {
  const lines = [];
  lines.push(
    `- date: ${meta.date}, commit ${meta.commit}, run time ${meta.minutes.toFixed(1)} min`,
    `- command: \`${meta.command}\``,
    `- machine: ${meta.node}; load average before the run (1/5/15 min) ${meta.loadavg.map((v) => v.toFixed(2)).join(' / ')}`,
    `- load generator: autocannon ${meta.autocannonVersion} inside the bench process, same machine; ${meta.WARMUP} s warm-up then ${meta.DURATION} s measured per row, connections ${CONNECTIONS.join(' and ')}; every row on a freshly started server process (the mock upstream runs for the whole run)`,
    `- gateway (c): \`dist/apps/master/src/main.js\`, AIGW_LOG_LEVEL=warn${meta.gatewayNodeArgs.length ? `, node flags \`${meta.gatewayNodeArgs.join(' ')}\`` : ''}; ${meta.mode ?? 'not run'}; bootstrap: an \`openai\` and an \`anthropic\` channel on the mock, priced models \`bench-openai\` and \`bench-anthropic\`, routing models \`bench-failover\` (a failing channel, then the mock) and \`bench-weighted\` (${WEIGHTED_CHANNELS.length} weighted channels), one token: every request is authenticated, routed, relayed and metered (its usage record goes to the gateway's queue${meta.mode?.includes('BullMQ') ? ' on Redis' : ''} and is settled into Postgres by the gateway's own settlement worker: a process beside it with Postgres + Redis, in its process otherwise)`,
    `- request: OpenAI Chat (system + user message, max_tokens 64; streaming adds \`stream_options.include_usage\`); the mock answers a ${meta.mockSizes.chatJson}-byte chat.completion, or 10 chunks + a usage chunk + [DONE] (${meta.mockSizes.chatStream} bytes) in one write; Anthropic: a ${meta.mockSizes.messageJson}-byte message, or 14 events`,
    `- columns: latency over every 2xx answer (whole response, streams included); CPU = utime+stime of the process from /proc/<pid>/stat over the window ÷ answered requests; "pg+redis" = every postgres and redis-server process; "other" = machine busy cores not accounted to server, mock, pg+redis or the load generator (the kernel's unattributed network work, and anything else running on the machine); "machine cores busy" = all of it, of ${os.cpus().length}; RSS = VmRSS of the fresh server before the warm-up → highest VmRSS sampled every 200 ms under load`,
  );
  if (results.some((r) => r.targetId === 'agent')) {
    lines.push(
      `- remote agent (e): \`dist/apps/agent/src/main.js\` (AIGW_LOG_LEVEL=warn${meta.gatewayNodeArgs.length ? `, the same node flags` : ''}), enrolled with a fresh master started as for c (same bootstrap and backends, its own process group) and serving the policy it syncs; each row on a fresh master + agent pair, the load on the agent's port. For the rows of e, "server" CPU and RSS are the agent process's, and "pg+redis" also counts the master and its settlement worker (the master's process group)`,
    );
  }
  if (meta.usageCheck) lines.push(`- metering check: ${fmtInt(meta.usageCheck.rows)} usage rows and ${fmtInt(meta.usageCheck.charged)} ledger charges written by the gateway during the run`);
  for (const note of meta.notes) lines.push(`- note: ${note}`);
  lines.push('');

  lines.push(
    '| scenario | target | conns | req/s | p50 ms | p99 ms | server CPU µs/req | server cores | mock µs/req | pg+redis µs/req | client cores | other cores | machine cores busy | server RSS MiB: idle → load | errors |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    lines.push(
      `| ${r.scenario.label} | ${r.target} | ${r.connections} | ${fmtInt(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuPerReqUs.toFixed(0)} | ${r.serverCores.toFixed(2)} | ${r.mockCpuPerReqUs === null ? '—' : r.mockCpuPerReqUs.toFixed(0)} | ${r.backendCores < 0.02 ? '—' : r.backendCpuPerReqUs.toFixed(0)} | ${r.clientCores.toFixed(2)} | ${r.otherCores.toFixed(2)}${r.otherNamed.length ? ` (${r.otherNamed.slice(0, 2).map((o) => `${cell(o.comm)} ${o.cores.toFixed(2)}`).join(', ')})` : ''} | ${r.machineCores.toFixed(2)} | ${r.idleRss === null ? '' : `${r.idleRss.toFixed(0)} → `}${r.peakRss.toFixed(0)} | ${r.errors ? `${r.errors} (${cell(r.firstError)})` : 0} |`,
    );
  }
  lines.push('');

  const ours = results.filter((r) => r.targetId === 'ours' && r.settledPerSecond !== null);
  if (ours.length) {
    lines.push(
      `Usage settlement during the gateway windows (${meta.mode?.includes('BullMQ') ? 'the master\'s settlement worker process' : 'the in-process queue worker'}; usage rows written to Postgres per second while serving): ` +
        ours.map((r) => `${r.scenario.id} @${r.connections}: ${fmtInt(r.settledPerSecond)} rows/s for ${fmtInt(r.rps)} req/s${r.backlog === null ? '' : `, ${fmtInt(r.backlog)} queue jobs waiting at the end`}`).join('; ') +
        '.',
      '',
    );
  }
  if (meta.settlement) {
    const s = meta.settlement;
    lines.push(
      `Settlement with no traffic (the same process right after the non-streaming ${fmtInt(s.windowRps)} req/s window, ${s.seconds.toFixed(1)} s): ` +
        `**${fmtInt(s.rowsPerSecond)} usage rows/s**, ${s.gatewayUsPerRow.toFixed(0)} µs of gateway CPU (${s.gatewayCores.toFixed(2)} cores) and ${s.backendUsPerRow.toFixed(0)} µs of Postgres/Redis CPU (${s.backendCores.toFixed(2)} cores) per row; ` +
        `${s.backlogLeft === null ? '' : `${fmtInt(s.backlogLeft)} of ${fmtInt(s.backlogAtEnd)} jobs still waiting at the end`}. Sustained traffic above that rate grows the backlog without bound.`,
      '',
    );
  }

  if (ttfb.size) {
    const direct = ttfb.get('mock');
    lines.push(
      `Stream time to first body byte: ${meta.TTFB_REQUESTS} sequential streamed chat requests on one keep-alive connection (after ${meta.TTFB_WARMUP} warm-up requests), fresh server, no other load.`,
      '',
      '| target | TTFB p50 ms | p90 ms | p99 ms | mean ms | whole stream p50 ms | p50 overhead vs direct | server peak RSS (VmHWM) MiB |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const [targetId, t] of ttfb) {
      const label = results.find((r) => r.targetId === targetId)?.target ?? targetId;
      const hwm = memory.get(targetId)?.hwm;
      lines.push(
        `| ${label} | ${t.p50.toFixed(3)} | ${t.p90.toFixed(3)} | ${t.p99.toFixed(3)} | ${t.mean.toFixed(3)} | ${t.totalP50.toFixed(3)} | ${direct && targetId !== 'mock' ? `${(t.p50 - direct.p50).toFixed(3)} ms` : '—'} | ${hwm ? hwm.toFixed(0) : 'n/a'} |`,
      );
    }
    lines.push('');
  }

  lines.push(...renderRouting({ meta, results, failover }));
  lines.push(...renderAgent({ meta, results, CONNECTIONS }));

  if (acceptance.length) {
    lines.push('Acceptance figures:', '', '| figure | measured | result |', '| --- | --- | --- |');
    for (const a of acceptance) lines.push(`| ${a.name} | ${a.measured} | ${a.pass ? 'pass' : '**FAIL**'} |`);
    lines.push('');
  }
  if (info.length) lines.push(`Throughput ratios: ${info.map((i) => `${i.name} ${i.fmt(i.value)}`).join(', ')}.`, '');
  const routing = routingSummary({ results, failover, MAX_CONN: meta.MAX_CONN });
  if (routing.length) lines.push(`Routing figures (informational, no threshold): ${routing.join('; ')}.`, '');
  const agentLines = agentSummary({ results, MAX_CONN: meta.MAX_CONN, CONNECTIONS });
  if (agentLines.length) lines.push(`Remote agent figures (informational, no threshold): ${agentLines.join('; ')}.`, '');
  if (profileReport?.length) {
    if (compact) lines.push('Profiles (top of each; the full tables, with inclusive times, are in `bench/results/relay-latest.md`):', '');
    for (const p of profileReport) lines.push(renderProfile(p, compact));
  }
  return lines.join('\n');
}

const DOC_BEGIN = '<!-- relay-bench:begin (generated by bench/relay.mjs) -->';
const DOC_END = '<!-- relay-bench:end -->';

/** Replaces the generated part of the "Relay" section of docs/benchmarks.md (creating the section if absent). */
function updateDocs(file, markdown, day) {
  const generated = `${DOC_BEGIN}\n\nLatest run (${day}):\n\n${markdown.trim()}\n\n${DOC_END}`;
  let text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const begin = text.indexOf(DOC_BEGIN);
  const end = text.indexOf(DOC_END);
  if (begin >= 0 && end > begin) {
    text = `${text.slice(0, begin)}${generated}${text.slice(end + DOC_END.length)}`;
  } else {
    text = `${text.trimEnd()}\n\n## Relay (data plane)\n\nCommand: \`npm run bench\` (or \`npm run build && node_modules/.bin/node bench/relay.mjs\`).\n\n${generated}\n`;
  }
  writeFileSync(file, text);
}

// ─────────────────────────────────── utilities ───────────────────────────────────

function listFromEnv(name, fallback) {
  return (process.env[name] || fallback).split(',').map((value) => value.trim()).filter(Boolean);
}

function commandLine() {
  const knobs = Object.entries(process.env)
    .filter(([key]) => /^BENCH_(RELAY_|DATABASE_URL$|REDIS_URL$)/.test(key))
    .map(([key, value]) => `${key}=${value}`);
  const viaNpm = process.env.npm_lifecycle_event === 'bench';
  return [...knobs, viaNpm ? 'npm run bench' : 'npm run build && node_modules/.bin/node bench/relay.mjs'].join(' ');
}








/**
 * CPU ticks between two snapshots: the loopback backing services (every postgres and
 * redis-server process, and every process of `backendGroup`, a process group id: the
 * agent target's master and its settlement worker) and everything else except `own`
 * pids, grouped by name.
 */
function cpuElsewhere(before, after, own, backendGroup = null) {
  let backend = 0;
  const others = new Map();
  for (const [pid, now] of after) {
    if (own.has(pid)) continue;
    // By pid only: kernel workers rename themselves (kworker/1:1-<work>) as they go.
    const delta = now.ticks - (before.get(pid)?.ticks ?? 0);
    if (delta <= 0) continue;
    if (now.comm === 'postgres' || now.comm.startsWith('redis-server') || (backendGroup !== null && now.pgrp === backendGroup)) backend += delta;
    else others.set(now.comm, (others.get(now.comm) ?? 0) + delta);
  }
  return { backend, others };
}




function httpRequest(agent, port, method, path, { headers = {}, body } = {}) {
  return new Promise((done, fail) => {
    const payload = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      { host: HOST, port, method, path, agent, headers: payload ? { ...headers, 'content-length': payload.length } : headers, timeout: 10_000 },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => done({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', fail);
    req.end(payload);
  });
}



function fmtInt(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}
function signed(value) {
  return Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}` : 'n/a';
}
/** { 402: 3, 503: 1 } → "3 × HTTP 402, 1 × HTTP 503". */
function fmtStatuses(statuses) {
  return Object.entries(statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([status, n]) => `${fmtInt(n)} × HTTP ${status}`)
    .join(', ');
}
function usd(micros) {
  return `$${(micros / 1e6).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
function pct(value) {
  return `${(value * 100).toFixed(1)} %`;
}
function times(value) {
  return `${value.toFixed(2)}×`;
}
function cell(text) {
  return String(text ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 200);
}

// Dispatch last, so every module-level constant above is initialised.
if (role === 'mock') await runMock(Number(argValue('port')));
else if (role === 'bare') await runBare(Number(argValue('port')), Number(argValue('upstream')));
else {
  await runMain().catch((error) => {
    console.error(`bench: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  });
}

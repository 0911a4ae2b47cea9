/**
 * The committed access decision for every route the master registers.
 * `public`: anyone; otherwise the roles that may call it. A new route fails
 * the RBAC test until it is added here, which makes its access a reviewed
 * decision rather than an accident.
 */
/** `agent`: an enrollment token or an agent credential, never an admin JWT. */
export type Access = 'public' | 'api-token' | 'agent' | Array<'admin' | 'operator' | 'viewer' | 'user'>;

const ALL = ['admin', 'operator', 'viewer', 'user'] as const;
const STAFF_READ = ['admin', 'operator', 'viewer'] as const;
const OPERATE = ['admin', 'operator'] as const;

export const ACCESS_TABLE: Record<string, Access> = {
  'GET /': 'public',
  'GET /ping': 'public',
  'GET /api/health': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/*': 'public',
  'GET /api/docs/openapi.json': 'public',
  'GET /api/docs/openapi.yaml': 'public',
  'POST /api/auth/login': 'public',

  'GET /api/me': [...ALL],
  'PUT /api/me/password': [...ALL],

  'GET /api/users': ['admin', 'viewer'],
  'GET /api/users/:id': ['admin', 'viewer'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:id': ['admin'],
  'DELETE /api/users/:id': ['admin'],
  'POST /api/users/:id/balance-adjustments': ['admin'],

  'GET /api/groups': [...STAFF_READ],
  'GET /api/groups/:id': [...STAFF_READ],
  'POST /api/groups': ['admin'],
  'PATCH /api/groups/:id': ['admin'],
  'DELETE /api/groups/:id': ['admin'],

  'GET /api/tokens': ['admin', 'viewer', 'user'],
  'GET /api/tokens/:id': ['admin', 'viewer', 'user'],
  'POST /api/tokens': ['admin', 'user'],
  'PATCH /api/tokens/:id': ['admin', 'user'],
  'DELETE /api/tokens/:id': ['admin', 'user'],

  'GET /api/channels': [...STAFF_READ],
  'GET /api/channels/:id': [...STAFF_READ],
  'POST /api/channels': [...OPERATE],
  'PATCH /api/channels/:id': [...OPERATE],
  'DELETE /api/channels/:id': [...OPERATE],
  'POST /api/channels/:id/test': [...OPERATE],

  'GET /api/models': [...ALL],
  'GET /api/providers': [...ALL],
  'GET /api/models/:id': [...ALL],
  'POST /api/models': [...OPERATE],
  'PATCH /api/models/:id': [...OPERATE],
  'DELETE /api/models/:id': [...OPERATE],

  'GET /api/routes': [...STAFF_READ],
  'GET /api/routes/:id': [...STAFF_READ],
  'POST /api/routes': [...OPERATE],
  'PATCH /api/routes/:id': [...OPERATE],
  'DELETE /api/routes/:id': [...OPERATE],
  'POST /api/routes/dry-run': [...STAFF_READ],

  'GET /api/agents': [...STAFF_READ],
  'GET /api/agents/:id': [...STAFF_READ],
  'DELETE /api/agents/:id': [...OPERATE],
  'GET /api/agents/enrollment-tokens': [...OPERATE],
  'POST /api/agents/enrollment-tokens': [...OPERATE],
  'DELETE /api/agents/enrollment-tokens/:id': [...OPERATE],
  'POST /api/agents/enroll': 'agent',
  'POST /api/agents/usage': 'agent',

  'GET /api/usage': [...ALL],
  'GET /api/usage/daily': [...ALL],
  'GET /api/usage/export.csv': [...ALL],
  'GET /api/settlement/failed': [...STAFF_READ],
  'POST /api/settlement/failed/:id/retry': ['admin'],
  'GET /api/audit': [...STAFF_READ],

  // The data plane: gateway API tokens, never admin JWTs.
  'POST /v1/chat/completions': 'api-token',
  'POST /v1/responses': 'api-token',
  'POST /v1/messages': 'api-token',
  'POST /v1/messages/count_tokens': 'api-token',
  'POST /v1/embeddings': 'api-token',
  'POST /v1/completions': 'api-token',
  'POST /v1/images/generations': 'api-token',
  'POST /v1/images/edits': 'api-token',
  'POST /v1/audio/speech': 'api-token',
  'POST /v1/audio/transcriptions': 'api-token',
  'POST /v1/audio/translations': 'api-token',
  'POST /v1/moderations': 'api-token',
  'POST /v1/rerank': 'api-token',
  'POST /v1beta/models/:target': 'api-token',
  'POST /v1/models/:target': 'api-token',
  'GET /v1/models': 'api-token',
  'GET /v1/models/:id': 'api-token',
  'GET /v1beta/models': 'api-token',
  'GET /v1beta/models/:id': 'api-token',
  'GET /v1/dashboard/billing/subscription': 'api-token',
  'GET /v1/dashboard/billing/usage': 'api-token',
  'GET /api/tokens/self': 'api-token',
};

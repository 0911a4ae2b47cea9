import { SecretCipher } from '@aigw/config';
import { SYNC_CLOSE, SYNC_PATH } from '@aigw/contracts';
import { Logger } from '@nestjs/common';
import { OnGatewayConnection, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { IncomingMessage } from 'node:http';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import { bearer } from '../auth/agent-auth.guards';
import { AgentPrincipal, AgentsService } from '../services/agents.service';
import { SyncHub } from './sync-hub.service';

/** Largest frame the master takes from an agent (a usage batch of 1,000 records is well under 2 MiB). */
export const MASTER_MAX_FRAME_BYTES = 8 * 1024 * 1024;

type VerifyDone = (result: boolean, code?: number, message?: string) => void;
type AuthenticatedRequest = IncomingMessage & { aigwAgent?: AgentPrincipal };

/**
 * The agents' WebSocket endpoint. The credential is checked at the upgrade,
 * before any frame: unknown → 401, revoked → 403 (the agent stops
 * reconnecting). An accepted connection becomes a SyncHub session.
 */
@WebSocketGateway({ path: SYNC_PATH, maxPayload: MASTER_MAX_FRAME_BYTES, perMessageDeflate: false })
export class SyncGateway implements OnGatewayInit<WebSocketServer>, OnGatewayConnection<WebSocket> {
  private readonly logger = new Logger(SyncGateway.name);

  constructor(
    private readonly hub: SyncHub,
    private readonly agents: AgentsService,
  ) {}

  afterInit(server: WebSocketServer): void {
    server.options.verifyClient = (info: { req: IncomingMessage }, done: VerifyDone) => {
      this.agents.authenticate(bearer(info.req.headers)).then(
        (agent) => {
          if (!agent) return done(false, 401, 'unknown agent credential');
          if (agent.status !== 'active') return done(false, 403, 'agent revoked');
          (info.req as AuthenticatedRequest).aigwAgent = agent;
          done(true);
        },
        (error: unknown) => {
          this.logger.error({ msg: 'could not check an agent credential', error: (error as Error).message });
          done(false, 503, 'master unavailable');
        },
      );
    };
  }

  handleConnection(socket: WebSocket, request: AuthenticatedRequest): void {
    const agent = request.aigwAgent;
    if (!agent) {
      socket.close(SYNC_CLOSE.violation, 'not authenticated');
      return;
    }
    const session = this.hub.attach(
      { agentId: agent.id, name: agent.name, audience: { region: agent.region, cipher: new SecretCipher(Buffer.from(agent.syncKey, 'base64')) } },
      {
        send: (text) => {
          if (socket.readyState === WebSocket.OPEN) socket.send(text, { binary: false });
        },
        close: (code, reason) => socket.close(code, reason),
      },
    );
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) socket.close(SYNC_CLOSE.violation, 'text frames only');
      else this.hub.receive(session, data.toString());
    });
    socket.on('close', () => this.hub.detach(session));
    socket.on('error', () => this.hub.detach(session));
  }
}

// The TCP side: one framer per connection, requests answered in order. A malformed or
// oversized message closes that connection only; the server keeps serving the others.
import { createServer, type Server, type Socket } from 'node:net';
import { BSON, type Document } from 'bson';
import { runCommand } from './commands/registry.js';
import type { ServerInfo } from './commands/context.js';
import { helloReply } from './commands/handshake.js';
import { CursorManager } from './engine/cursors.js';
import { Store } from './engine/store.js';
import { errorReply, MongoServerError, ErrorCode } from './errors.js';
import { MessageFramer } from './wire/framing.js';
import {
  encodeMsgReply,
  encodeQueryReply,
  parseMessage,
  ProtocolError,
  type WireRequest,
} from './wire/messages.js';

export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

export interface WireServerOptions {
  cursorTimeoutMs: number;
}

export class WireServer {
  readonly store: Store;
  readonly cursors: CursorManager;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  readonly info: ServerInfo = {
    startedAt: new Date(),
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    connections: {
      current: 0,
      totalCreated: 0,
    },
  };

  constructor(store: Store, opts: WireServerOptions) {
    this.store = store;
    this.cursors = new CursorManager(opts.cursorTimeoutMs);
    this.server = createServer((socket) => this.accept(socket));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private countConnections(): void {
    this.info.connections = { current: this.sockets.size, totalCreated: this.nextConnectionId - 1 };
  }

  private accept(socket: Socket): void {
    const connectionId = this.nextConnectionId++;
    const framer = new MessageFramer(MAX_MESSAGE_SIZE_BYTES);
    this.sockets.add(socket);
    this.countConnections();
    socket.setNoDelay(true);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.countConnections();
    });
    socket.on('error', () => socket.destroy());
    let closing = false;
    socket.on('data', (chunk: Buffer) => {
      if (closing) return;
      // Frames are answered one by one, like mongod: replies to the frames before a bad one
      // are still sent, then the connection is closed.
      const replies: Buffer[] = [];
      try {
        for (const msg of framer.push(chunk)) {
          const reply = this.handle(parseMessage(msg), connectionId);
          if (reply) replies.push(reply);
        }
        if (framer.failed) closing = true;
      } catch (err) {
        if (!(err instanceof ProtocolError)) {
          console.error('[devstack mongo] internal error, closing connection', err);
        }
        closing = true;
      }
      if (replies.length === 1) socket.write(replies[0]);
      else if (replies.length > 1) socket.write(Buffer.concat(replies));
      if (closing) {
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      }
    });
  }

  private handle(req: WireRequest, connectionId: number): Buffer | undefined {
    if (req.kind === 'query') {
      return encodeQueryReply(
        req.requestId,
        serialize(this.legacyQuery(req.collection, req.query, connectionId)),
      );
    }
    const reply = runCommand(req.command, {
      store: this.store,
      cursors: this.cursors,
      connectionId,
      server: this.info,
    });
    if (req.moreToCome) return undefined;
    return encodeMsgReply(req.requestId, serialize(reply));
  }

  // OP_QUERY is only the legacy handshake: hello/isMaster against admin.$cmd (any db's $cmd).
  private legacyQuery(collection: string, query: Document, connectionId: number): Document {
    const cmd = (query['$query'] as Document | undefined) ?? query;
    const name = Object.keys(cmd)[0];
    if (
      !collection.endsWith('.$cmd') ||
      (name !== 'hello' && name !== 'isMaster' && name !== 'ismaster')
    ) {
      return errorReply(
        new MongoServerError(
          ErrorCode.CommandNotSupported,
          'OP_QUERY is only supported for the hello/isMaster handshake',
        ),
      );
    }
    return helloReply(cmd, connectionId, MAX_MESSAGE_SIZE_BYTES);
  }
}

function serialize(doc: Document): Uint8Array {
  try {
    return BSON.serialize(doc);
  } catch (err) {
    return BSON.serialize(
      errorReply(
        new MongoServerError(
          ErrorCode.InternalError,
          `cannot encode reply: ${(err as Error).message}`,
        ),
      ),
    );
  }
}

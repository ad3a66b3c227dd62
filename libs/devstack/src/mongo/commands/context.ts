// What every command handler receives, and the shape of the registry entries.
import type { Document } from 'bson';
import type { CursorManager } from '../engine/cursors.js';
import type { Store } from '../engine/store.js';

export interface ServerInfo {
  readonly startedAt: Date;
  readonly maxMessageSizeBytes: number;
  /** Open client connections, and how many were accepted since the start. */
  connections: { readonly current: number; readonly totalCreated: number };
}

export interface CommandContext {
  readonly store: Store;
  readonly cursors: CursorManager;
  readonly db: string;
  readonly connectionId: number;
  readonly server: ServerInfo;
}

export type CommandHandler = (cmd: Document, ctx: CommandContext) => Document;

export interface CommandDef {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** Fields this command accepts besides its own name and the generic ones. */
  readonly fields: readonly string[];
  /** Any further field is accepted (serverStatus takes section names such as `repl: 0`). */
  readonly anyFields?: boolean;
  readonly handler: CommandHandler;
}

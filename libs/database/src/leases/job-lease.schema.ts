import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

// Named StoredLease: JobLease is the record the repository returns.
/** One document per lifecycle job: whoever holds its lease, and when a run last completed. */
@Schema({ collection: 'leases', versionKey: false })
export class StoredLease {
  /** The job's name (JOB_NAMES): the unique key every acquisition races on. */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The holder, or the last one once released. */
  @Prop({ type: String, required: true })
  owner!: string;

  /** Grows by one on every acquisition; never goes back. */
  @Prop({ type: Number, required: true })
  fence!: number;

  /** The lease lapses then; a released lease holds the time of its release. */
  @Prop({ type: Date, required: true })
  until!: Date;

  /** When the last completed run ended (any replica); null before the first. */
  @Prop({ type: Date, default: null })
  lastCompletedAt!: Date | null;

  /**
   * When that run started. The job is due again an interval after it (the acquiring replica's
   * interval), so a changed interval applies from the next tick; null (or missing, in a document
   * written before it existed) counts as due.
   */
  @Prop({ type: Date, default: null })
  lastCompletedRunStartedAt!: Date | null;
}

export const StoredLeaseSchema = SchemaFactory.createForClass(StoredLease);
// Every query is by _id (the job's name): the default _id index serves them all.

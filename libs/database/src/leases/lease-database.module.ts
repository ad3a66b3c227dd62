import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { JobLeaseRepository } from './job-lease.repository.js';
import { StoredLease, StoredLeaseSchema } from './job-lease.schema.js';
import { MongooseJobLeaseRepository } from './mongoose-job-lease.repository.js';

/** The worker's job leases (collection `leases`). */
@Module({
  imports: [MongooseModule.forFeature([{ name: StoredLease.name, schema: StoredLeaseSchema }])],
  providers: [{ provide: JobLeaseRepository, useClass: MongooseJobLeaseRepository }],
  exports: [JobLeaseRepository],
})
export class LeaseDatabaseModule {}

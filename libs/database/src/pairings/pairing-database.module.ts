import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MongoosePairingRepository } from './mongoose-pairing.repository.js';
import { PairingRepository } from './pairing.repository.js';
import { Pairing, PairingSchema } from './pairing.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: Pairing.name, schema: PairingSchema }])],
  providers: [{ provide: PairingRepository, useClass: MongoosePairingRepository }],
  exports: [PairingRepository],
})
export class PairingDatabaseModule {}

// Entry point of the floor app (floor.module.ts), its own OS process like the product's API.
// Env: FLOOR_PORT, MONGODB_URI (the product's database: the findOne reads its users),
// FLOOR_JWKS_URL (the product's /.well-known/jwks.json: the guard verifies its tokens).
// Prints `floor listening` when ready; SIGTERM closes it.
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MongoClient } from 'mongodb';
import { FloorModule } from './floor.module.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is required`);
  return value;
};

const jwks = (await (await fetch(env('FLOOR_JWKS_URL'))).json()) as { keys: JsonWebKey[] };
const first = jwks.keys[0];
if (first === undefined) throw new Error('the JWKS has no key');
const publicKeyPem = createPublicKey({ key: first, format: 'jwk' })
  .export({ type: 'spki', format: 'pem' })
  .toString();
const client = await new MongoClient(env('MONGODB_URI')).connect();
const app = await NestFactory.create<NestFastifyApplication>(
  FloorModule.forRoot(publicKeyPem, client.db().collection('users')),
  new FastifyAdapter(),
  { logger: false },
);
await app.listen(Number(env('FLOOR_PORT')), '127.0.0.1');
console.log('floor listening');
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => client.close())
    .then(() => process.exit(0));
});

import { Module } from '@nestjs/common';

// Accounts, tokens, JWKS, the global deny-by-default guards and shared rate limits.
// Grows as the pieces land; AppModule imports it once.
@Module({})
export class AuthModule {}

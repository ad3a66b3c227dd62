import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  LoginAttemptDatabaseModule,
  RefreshTokenDatabaseModule,
  UserDatabaseModule,
} from '@app/database';
import { DeviceAccessModule } from '../device-access/index.js';
import { AccountsService } from './accounts.service.js';
import { LoginAttemptsService } from './attempts/login-attempts.service.js';
import { AuthController } from './auth.controller.js';
import { AuthenticationGuard } from './guards/authentication.guard.js';
import { PermissionGuard } from './guards/permission.guard.js';
import { AnyTokenGuard, DeviceTokenGuard, UserTokenGuard } from './guards/token-guards.js';
import { JwksController } from './jwks.controller.js';
import { KeyRing } from './keys/key-ring.js';
import { loadSigningKey } from './keys/load-signing-key.js';
import { PairingSecrets } from './keys/pairing-secrets.js';
import { LoginService } from './login.service.js';
import { HashingQueue } from './passwords/hashing-queue.js';
import { PasswordHasher, scryptParamsForLog2N } from './passwords/password-hasher.js';
import { TokenPairService } from './refresh/token-pair.service.js';
import { DeviceJwtStrategy } from './strategies/device-jwt.strategy.js';
import { UserJwtStrategy } from './strategies/user-jwt.strategy.js';
import { AccessTokenService } from './tokens/access-token.service.js';

/**
 * Accounts, RS256 tokens, JWKS and two global guards, in this order: authentication (deny by
 * default), permissions. The shared rate limit (RateLimitModule) runs before both. Exports what
 * the pairing flow needs: device tokens (AccessTokenService) and its server keys (PairingSecrets).
 */
@Module({
  imports: [
    PassportModule,
    // Keys are passed per call from the KeyRing; nothing is configured globally.
    JwtModule.register({}),
    UserDatabaseModule,
    RefreshTokenDatabaseModule,
    LoginAttemptDatabaseModule,
    DeviceAccessModule,
  ],
  controllers: [AuthController, JwksController],
  providers: [
    {
      provide: KeyRing,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) =>
        new KeyRing(
          await loadSigningKey({
            privateKeyPem: config.auth.privateKeyPem,
            keyId: config.auth.keyId,
            dataDir: config.dataDir,
          }),
          config.auth.extraVerifyKeys,
        ),
    },
    {
      provide: PasswordHasher,
      inject: [APP_CONFIG],
      // One queue per process: every derivation (login, register, the boot-time dummy) goes
      // through it.
      useFactory: (config: AppConfig) =>
        new PasswordHasher(
          scryptParamsForLog2N(config.auth.passwordScryptLog2N),
          new HashingQueue(config.auth.passwordHashConcurrency, config.auth.passwordHashQueue),
        ),
    },
    AccessTokenService,
    PairingSecrets,
    UserJwtStrategy,
    DeviceJwtStrategy,
    UserTokenGuard,
    DeviceTokenGuard,
    AnyTokenGuard,
    AccountsService,
    TokenPairService,
    LoginService,
    LoginAttemptsService,
    { provide: APP_GUARD, useClass: AuthenticationGuard },
    { provide: APP_GUARD, useClass: PermissionGuard },
  ],
  exports: [AccessTokenService, KeyRing, PairingSecrets],
})
export class AuthModule {}

import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import {
  LoginAttemptRepository,
  MongooseLoginAttemptRepository,
} from './login-attempt.repository.js';
import { LoginAttempt, LoginAttemptSchema } from './login-attempt.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: LoginAttempt.name, schema: LoginAttemptSchema }])],
  providers: [{ provide: LoginAttemptRepository, useClass: MongooseLoginAttemptRepository }],
  exports: [LoginAttemptRepository],
})
export class LoginAttemptDatabaseModule {}

import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MongooseUserRepository, UserRepository } from './user.repository.js';
import { User, UserSchema } from './user.schema.js';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  providers: [{ provide: UserRepository, useClass: MongooseUserRepository }],
  exports: [UserRepository],
})
export class UserDatabaseModule {}

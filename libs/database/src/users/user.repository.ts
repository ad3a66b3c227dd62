import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Types, type Model } from 'mongoose';
import { conflictOnDuplicate, type LeanDoc } from '../repository/index.js';
import { User } from './user.schema.js';

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  displayName: string | null;
  createdAt: Date;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  displayName: string | null;
}

type LeanUser = LeanDoc<User>;

const toUserRecord = (doc: LeanUser): UserRecord => ({
  id: doc._id.toHexString(),
  email: doc.email,
  passwordHash: doc.passwordHash,
  displayName: doc.displayName ?? null,
  createdAt: doc.createdAt,
});

/** Accounts. What callers inject: plain records in and out. */
export abstract class UserRepository {
  /** Inserts an account; a taken email (unique index) becomes a CONFLICT error. */
  abstract create(user: NewUser): Promise<UserRecord>;
  abstract findByEmail(email: string): Promise<UserRecord | null>;
  /** Null for an unknown id and for a string that is not an id at all. */
  abstract findById(id: string): Promise<UserRecord | null>;
}

@Injectable()
export class MongooseUserRepository extends UserRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {
    super();
  }

  async create(user: NewUser): Promise<UserRecord> {
    try {
      const doc = await this.users.create({
        email: String(user.email),
        passwordHash: String(user.passwordHash),
        displayName: user.displayName === null ? null : String(user.displayName),
      });
      return toUserRecord(doc.toObject<LeanUser>());
    } catch (error) {
      throw conflictOnDuplicate(error, 'An account with this email already exists');
    }
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    // String() so a smuggled object can never act as a query operator.
    const doc = await this.users
      .findOne({ email: String(email) })
      .lean<LeanUser>()
      .exec();
    return doc === null ? null : toUserRecord(doc);
  }

  async findById(id: string): Promise<UserRecord | null> {
    if (!/^[0-9a-f]{24}$/.test(String(id))) return null;
    const doc = await this.users
      .findOne({ _id: new Types.ObjectId(String(id)) })
      .lean<LeanUser>()
      .exec();
    return doc === null ? null : toUserRecord(doc);
  }
}

// The framework's floor for bench:pipeline: a bare NestJS 12 + Fastify app with nothing of the
// product in it (no logger, helmet, CORS, filters, pipes, rate limit or metrics). Three routes:
// a hello, the same behind an RS256 guard (a minimal CanActivate over @nestjs/jwt, the library the
// product signs with), and the guard plus one findOne by _id through the raw MongoDB driver. The
// product is measured against these in the same run.
import {
  Controller,
  createParamDecorator,
  Get,
  Inject,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
} from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { ObjectId, type Collection, type Document } from 'mongodb';

const USERS = Symbol('users collection');

interface Claims {
  sub: string;
}
interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  claims?: Claims;
}

@Injectable()
class Rs256Guard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
      throw new UnauthorizedException();
    }
    try {
      request.claims = this.jwt.verify<Claims>(header.slice(7), { algorithms: ['RS256'] });
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}

/** The claims the guard verified. */
const VerifiedClaims = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const claims = context.switchToHttp().getRequest<GuardedRequest>().claims;
  if (claims === undefined) throw new UnauthorizedException();
  return claims;
});

@Controller('floor')
class FloorController {
  constructor(@Inject(USERS) private readonly users: Collection<Document>) {}

  @Get('hello')
  hello(): { hello: string } {
    return { hello: 'world' };
  }

  @Get('hello/rs256')
  @UseGuards(Rs256Guard)
  helloRs256(): { hello: string } {
    return { hello: 'world' };
  }

  @Get('hello/rs256/user')
  @UseGuards(Rs256Guard)
  async user(@VerifiedClaims() claims: Claims): Promise<{ id: string; email: unknown }> {
    const doc = await this.users.findOne(
      { _id: new ObjectId(claims.sub) },
      { projection: { email: 1 } },
    );
    if (doc === null) throw new UnauthorizedException();
    return { id: claims.sub, email: doc.email };
  }
}

@Module({})
export class FloorModule {
  static forRoot(publicKeyPem: string, users: Collection<Document>): DynamicModule {
    return {
      module: FloorModule,
      imports: [JwtModule.register({ publicKey: publicKeyPem })],
      controllers: [FloorController],
      providers: [Rs256Guard, { provide: USERS, useValue: users }],
    };
  }
}

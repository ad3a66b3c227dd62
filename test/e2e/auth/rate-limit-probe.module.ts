// Test-only routes under the shared limiter's named throttlers, mounted with
// startTestApp({ extraModules: [RateLimitProbeModule] }), so the poll limit is tested before (and
// apart from) the pairing routes that use it.
import { Controller, HttpCode, Module, Post } from '@nestjs/common';
import { Public } from '@app/common';
import {
  CredentialsRateLimit,
  PairingPollRateLimit,
} from '../../../apps/api/src/modules/rate-limit/index.js';

@Controller('rate-probe')
export class RateLimitProbeController {
  @Post('poll')
  @HttpCode(200)
  @Public()
  @PairingPollRateLimit()
  poll(): { ok: true } {
    return { ok: true };
  }

  @Post('other-poll')
  @HttpCode(200)
  @Public()
  @PairingPollRateLimit()
  otherPoll(): { ok: true } {
    return { ok: true };
  }

  @Post('credentials')
  @HttpCode(200)
  @Public()
  @CredentialsRateLimit()
  credentials(): { ok: true } {
    return { ok: true };
  }

  @Post('plain')
  @HttpCode(200)
  @Public()
  plain(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [RateLimitProbeController] })
export class RateLimitProbeModule {}

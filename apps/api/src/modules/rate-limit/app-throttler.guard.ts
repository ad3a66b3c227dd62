import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { AppError } from '@app/common';

/**
 * The throttler guard with our error: 429 problem+json `RATE_LIMITED` and `Retry-After`.
 * The client is `request.ip`, which honours X-Forwarded-For only when TRUST_PROXY says so.
 */
@Injectable()
export class AppThrottlerGuard extends ThrottlerGuard {
  // The base class keys IPv6 clients by their /64, so rotating addresses inside one subnet
  // does not buy a fresh budget.
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    if (typeof req.ip !== 'string' || req.ip === '') return 'unknown';
    return super.getTracker(req);
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new AppError('RATE_LIMITED', 'Too many requests, slow down', {
      retryAfterSeconds: Math.max(1, detail.timeToBlockExpire),
    });
  }
}

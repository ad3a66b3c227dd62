import { Controller, Get, Header } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { register } from 'prom-client';
import { Public } from '../auth/public.decorator.js';

@ApiTags('operations')
@Public()
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  /** Prometheus text exposition of the process-wide default registry. */
  @Get()
  @Header('content-type', register.contentType)
  @Header('cache-control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({ description: 'Prometheus text format', schema: { type: 'string' } })
  metrics(): Promise<string> {
    return register.metrics();
  }
}

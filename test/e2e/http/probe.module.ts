// Test-only routes that exercise the HTTP surface (validation, thrown errors) independently of
// feature modules. Mounted with startTestApp({ extraModules: [ProbeModule] }).
import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { AppError, Public } from '@app/common';
import { IsEmail, IsOptional, IsString, MaxLength } from 'class-validator';

export class ProbeDto {
  @IsEmail()
  email!: string;

  @IsOptional()
  @IsString()
  @MaxLength(20)
  name?: string;
}

@Public()
@Controller('test-probe')
export class ProbeController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: ProbeDto): ProbeDto {
    return body;
  }

  @Get('slow')
  async slow(): Promise<{ done: boolean }> {
    await new Promise((resolve) => setTimeout(resolve, 800));
    return { done: true };
  }

  @Get('crash')
  crash(): never {
    throw new TypeError('secret internals at /srv/app/db.js:42');
  }

  @Get('busy')
  busy(): never {
    throw new AppError('RATE_LIMITED', 'Too many requests.', { retryAfterSeconds: 7 });
  }

  @Get('storage-down')
  storageDown(): never {
    throw new AppError('STORAGE_UNAVAILABLE', 'Storage is unavailable.');
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}

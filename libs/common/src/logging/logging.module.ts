import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { LoggerModule } from 'nestjs-pino';
import { loggerParams } from './logger-options.js';

/** pino-based logging for both apps; use `app.useLogger(app.get(Logger))` from nestjs-pino. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => loggerParams(config),
    }),
  ],
  exports: [LoggerModule],
})
export class LoggingModule {}

import { Inject, Injectable, Logger, Optional, type OnModuleInit } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { presignedUrlOrigin } from '@app/storage';
import { WebBuild } from './web-build.js';
import { webContentSecurityPolicy } from './web-headers.js';

/** Where the built client is read from; tests provide another folder through a global module. */
export const WEB_DIST_DIR = Symbol('WEB_DIST_DIR');

// dist/apps/api/src/modules/web/ → dist/web/: `npm run build:web` writes it next to the API's build.
export const DEFAULT_WEB_DIST_DIR = fileURLToPath(new URL('../../../../../web/', import.meta.url));

export const BUILD_HINT =
  'Build it with `npm run build:web` (vite build --config apps/web/vite.config.ts), which writes dist/web.';

// While there is no build, look again at most this often: a build made after the API started
// is picked up without a restart.
const RETRY_MS = 5000;

/** The web client's build and the headers it is served with. */
@Injectable()
export class WebClient implements OnModuleInit {
  private readonly logger = new Logger(WebClient.name);
  private build: WebBuild | null = null;
  private checkedAt = 0;
  readonly contentSecurityPolicy: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Optional() @Inject(WEB_DIST_DIR) private readonly dir: string = DEFAULT_WEB_DIST_DIR,
  ) {
    this.contentSecurityPolicy = webContentSecurityPolicy(presignedUrlOrigin(config.s3));
  }

  async onModuleInit(): Promise<void> {
    this.build = await this.load();
    if (this.build === null) {
      this.logger.warn(
        `The web client is not built (no ${this.dir}index.html): / answers 404. ${BUILD_HINT}`,
      );
    }
  }

  /** The build, or null while there is none. */
  async current(): Promise<WebBuild | null> {
    if (this.build === null && Date.now() - this.checkedAt >= RETRY_MS) {
      this.build = await this.load();
      if (this.build !== null) this.logger.log(`Web client found in ${this.dir}`);
    }
    return this.build;
  }

  private async load(): Promise<WebBuild | null> {
    this.checkedAt = Date.now();
    return WebBuild.load(this.dir);
  }
}

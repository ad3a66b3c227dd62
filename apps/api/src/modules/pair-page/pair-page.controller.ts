import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/common';
import { PAIR_CSS } from './assets/pair-css.js';
import { PAIR_HTML } from './assets/pair-html.js';
import { PAIR_SCRIPT } from './assets/pair-script.js';
import { PairPageHeaders } from './pair-page.headers.js';

// The HTML is never cached (it is where a pairing secret lands); the script and stylesheet are
// revalidated on each load, so a deploy never pairs a new page with an old script.
const NO_STORE = 'no-store';
const REVALIDATE = 'no-cache';

/** The page a pairing QR code opens (`pairingUrl` = PUBLIC_URL/pair#<secret>): not a JSON route. */
@ApiExcludeController()
@Public()
@Controller('pair')
export class PairPageController {
  @Get()
  @PairPageHeaders('text/html; charset=utf-8', NO_STORE)
  page(): string {
    return PAIR_HTML;
  }

  @Get('pair.js')
  @PairPageHeaders('text/javascript; charset=utf-8', REVALIDATE)
  script(): string {
    return PAIR_SCRIPT;
  }

  @Get('pair.css')
  @PairPageHeaders('text/css; charset=utf-8', REVALIDATE)
  stylesheet(): string {
    return PAIR_CSS;
  }
}

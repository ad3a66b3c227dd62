import { Module } from '@nestjs/common';
import { PairPageController } from './pair-page.controller.js';

/** GET /pair and its script and stylesheet, embedded in the build (no files to ship or find). */
@Module({ controllers: [PairPageController] })
export class PairPageModule {}

import type { UploadPlan } from '@app/database';

export type UploadMode = UploadPlan['mode'];

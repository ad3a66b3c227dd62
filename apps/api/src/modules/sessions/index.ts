// What other feature modules may use of sessions; everything else stays inside it.
export { SessionsModule } from './sessions.module.js';
export { SessionAccessService } from './session-access.service.js';
export { effectiveStatus, isLive, type SessionStatus } from './session-status.js';
export { SessionIdParam } from './session-param.js';
export { SessionResponse, toSessionResponse } from './dto/session.response.js';
export { toActivityEventResponse } from './dto/activity.response.js';

export { DeviceAccessModule } from './device-access.module.js';
export { DeviceAccessService } from './device-access.service.js';

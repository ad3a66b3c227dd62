import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiGoneResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import {
  Auth,
  CurrentDevice,
  CurrentUser,
  type DevicePrincipal,
  type UserPrincipal,
} from '@app/common';
import { SessionIdParam } from '../sessions/index.js';
import { DeviceTokenResponse } from './dto/claim.response.js';
import { DeviceListResponse, DeviceResponse } from './dto/device.response.js';
import { DevicesService } from './devices.service.js';

const WRONG_STATE = 'The device is not in a state this allows (CONFLICT).';

/** `:sessionId` and `:deviceId` of a device route, and its 404 and 409. */
const DeviceRoute = (conflict = WRONG_STATE): MethodDecorator =>
  applyDecorators(
    SessionIdParam(),
    ApiParam({
      name: 'deviceId',
      description: 'Public id of the device.',
      example: 'Xk4pR7vT1wZ9qL2nB6mC0A',
    }),
    ApiNotFoundResponse({ description: 'Unknown session or device, or not yours (NOT_FOUND).' }),
    ApiConflictResponse({ description: conflict }),
  );

@ApiTags('devices')
@ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
@Controller('v1')
export class DevicesController {
  constructor(private readonly devices: DevicesService) {}

  @Get('sessions/:sessionId/devices')
  @Auth('user')
  @SessionIdParam()
  @ApiOperation({ summary: 'The session’s devices: name, user agent, claim time and status' })
  @ApiOkResponse({ type: DeviceListResponse })
  list(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
  ): Promise<DeviceListResponse> {
    return this.devices.list(user, sessionId);
  }

  @Post('sessions/:sessionId/devices/:deviceId/approve')
  @HttpCode(HttpStatus.OK)
  @Auth('user')
  @DeviceRoute(
    'The device is not pending, or it stopped waiting for approval (its poll expired): it is ' +
      'revoked then, freeing its place, and has to pair again (CONFLICT).',
  )
  @ApiOperation({ summary: 'Approve a pending device: its next poll gets a token' })
  @ApiOkResponse({ type: DeviceResponse })
  @ApiGoneResponse({ description: 'The session is closed or expired (SESSION_EXPIRED).' })
  approve(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
    @Param('deviceId') deviceId: string,
  ): Promise<DeviceResponse> {
    return this.devices.approve(user, sessionId, deviceId);
  }

  @Post('sessions/:sessionId/devices/:deviceId/reject')
  @HttpCode(HttpStatus.OK)
  @Auth('user')
  @DeviceRoute()
  @ApiOperation({ summary: 'Reject a pending device: its next poll gets 403' })
  @ApiOkResponse({ type: DeviceResponse })
  reject(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
    @Param('deviceId') deviceId: string,
  ): Promise<DeviceResponse> {
    return this.devices.reject(user, sessionId, deviceId);
  }

  @Delete('sessions/:sessionId/devices/:deviceId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Auth('user')
  @DeviceRoute()
  @ApiOperation({ summary: 'Revoke a device: its token is refused from the next request on' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  revoke(
    @CurrentUser() user: UserPrincipal,
    @Param('sessionId') sessionId: string,
    @Param('deviceId') deviceId: string,
  ): Promise<void> {
    return this.devices.revoke(user, sessionId, deviceId);
  }

  @Post('devices/token')
  @HttpCode(HttpStatus.OK)
  @Auth('device')
  @ApiOperation({
    summary: 'A fresh device token, valid up to the session’s current expiry (after an extension)',
  })
  @ApiOkResponse({ type: DeviceTokenResponse })
  token(@CurrentDevice() device: DevicePrincipal): Promise<DeviceTokenResponse> {
    return this.devices.token(device);
  }
}

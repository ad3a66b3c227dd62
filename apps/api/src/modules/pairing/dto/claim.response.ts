import { ApiProperty } from '@nestjs/swagger';
import { SessionResponse } from '../../sessions/index.js';
import { DeviceResponse } from './device.response.js';

export class DeviceTokenResponse {
  @ApiProperty({
    description:
      'RS256 JWT (typ at+jwt, aud sharexpress:device) for this session only; send as Bearer. ' +
      'It never outlives the session and stops working once the device is revoked.',
    example:
      'eyJhbGciOiJSUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6Ims3In0.eyJzaWQiOiJtWjNxOFYweFQya1I5YlljTHc0bjFBIn0.c2ln',
  })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({
    format: 'date-time',
    description: 'When the token expires: the session’s expiresAt at issue.',
    example: '2026-01-01T13:00:00.000Z',
  })
  expiresAt!: string;
}

/** 201 of a claim (and 200 of an approved poll): the device may act at once. */
export class ActiveClaimResponse extends DeviceTokenResponse {
  @ApiProperty({ enum: ['active'], example: 'active' })
  status!: 'active';

  @ApiProperty({ type: DeviceResponse })
  device!: DeviceResponse;

  @ApiProperty({ type: SessionResponse })
  session!: SessionResponse;
}

/** 202 of a claim on a session with requireApproval: poll until the owner decides. */
export class PendingClaimResponse {
  @ApiProperty({ enum: ['pending'], example: 'pending' })
  status!: 'pending';

  @ApiProperty({ type: DeviceResponse })
  device!: DeviceResponse;

  @ApiProperty({
    description: 'Send to POST /v1/pairings/poll; single use once it yields a token.',
    example: 'kY2pQ9rT4vX7zB1nM5cL8wE3sA6dF0gH2jK4lP7oI9u',
  })
  pollSecret!: string;

  @ApiProperty({ description: 'Seconds to wait between polls (RFC 8628).', example: 5 })
  interval!: number;

  @ApiProperty({
    format: 'date-time',
    description: 'Polling ends then (the owner has until then to approve).',
    example: '2026-01-01T12:11:00.000Z',
  })
  expiresAt!: string;
}

export type ClaimResponse = ActiveClaimResponse | PendingClaimResponse;

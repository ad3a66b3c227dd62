import { ApiProperty } from '@nestjs/swagger';
import type { UserRecord } from '@app/database';

export class UserResponse {
  @ApiProperty()
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ada' })
  displayName!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class RegisterResponse {
  @ApiProperty({ type: UserResponse })
  user!: UserResponse;
}

/** Never includes the password hash. */
export const toUserResponse = (user: UserRecord): UserResponse => ({
  id: user.id,
  email: user.email,
  displayName: user.displayName,
  createdAt: user.createdAt.toISOString(),
});

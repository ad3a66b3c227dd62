import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Auth, CurrentUser, Public, type UserPrincipal } from '@app/common';
import { AccountsService } from './accounts.service.js';
import { LoginDto } from './dto/login.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RegisterUserDto } from './dto/register-user.dto.js';
import { TokenPairResponse } from './dto/token-pair.response.js';
import { RegisterResponse, toUserResponse, UserResponse } from './dto/user.response.js';
import { LoginService } from './login.service.js';
import { CredentialsRateLimit } from '../rate-limit/index.js';

const INVALID_BODY = { description: 'Invalid body (VALIDATION_FAILED).' };

@ApiTags('auth')
@ApiTooManyRequestsResponse({ description: 'Rate limited (RATE_LIMITED, Retry-After).' })
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly logins: LoginService,
  ) {}

  @Post('register')
  @ApiBadRequestResponse(INVALID_BODY)
  @Public()
  @CredentialsRateLimit()
  @ApiOperation({ summary: 'Create an account' })
  @ApiCreatedResponse({ type: RegisterResponse })
  @ApiConflictResponse({ description: 'The email is already registered.' })
  async register(@Body() body: RegisterUserDto): Promise<RegisterResponse> {
    return { user: toUserResponse(await this.accounts.register(body)) };
  }

  @Post('login')
  @ApiBadRequestResponse(INVALID_BODY)
  @HttpCode(HttpStatus.OK)
  @Public()
  @CredentialsRateLimit()
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ description: 'Unknown email or wrong password (same answer).' })
  login(@Body() body: LoginDto): Promise<TokenPairResponse> {
    return this.logins.login(body.email, body.password);
  }

  @Post('refresh')
  @ApiBadRequestResponse(INVALID_BODY)
  @HttpCode(HttpStatus.OK)
  @Public()
  @CredentialsRateLimit()
  @ApiOperation({ summary: 'Trade a refresh token for a new pair (the old one is spent)' })
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({
    description: 'Unknown, expired or spent token; a spent one also revokes its whole family.',
  })
  refresh(@Body() body: RefreshTokenDto): Promise<TokenPairResponse> {
    return this.logins.refresh(body.refreshToken);
  }

  @Post('logout')
  @ApiBadRequestResponse(INVALID_BODY)
  @HttpCode(HttpStatus.NO_CONTENT)
  @Public()
  @ApiOperation({ summary: 'Revoke the refresh token and every token rotated from the same login' })
  @ApiNoContentResponse({ description: 'Done (also for unknown tokens).' })
  logout(@Body() body: RefreshTokenDto): Promise<void> {
    return this.logins.logout(body.refreshToken);
  }

  @Get('me')
  @Auth('user')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() user: UserPrincipal): Promise<UserResponse> {
    return toUserResponse(await this.accounts.profile(user.userId));
  }
}

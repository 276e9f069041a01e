// Every dashboard route: a valid bearer token or 401. The verified viewer rides on the request from here on.
import { CanActivate, ExecutionContext, Injectable, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { queryAccessToken } from './query-token';
import { InvalidTokenError, TokenVerifier } from './token-verifier';
import { ACCEPTS_QUERY_TOKEN, ViewerRequest } from './viewer';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-_.~+/]+=*)[ \t]*$/i;

@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly tokens: TokenVerifier,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ViewerRequest>();
    const header = request.headers.authorization;
    const acceptsQueryToken = this.reflector.get<boolean>(ACCEPTS_QUERY_TOKEN, context.getHandler()) === true;
    const token = header !== undefined ? BEARER.exec(header)?.[1] : acceptsQueryToken ? queryAccessToken(request.raw) : undefined;
    if (!token) {
      throw new UnauthorizedException(header === undefined ? 'a bearer token is required: Authorization: Bearer <JWT>' : 'the Authorization header must be "Bearer <JWT>"');
    }
    try {
      request.viewer = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new UnauthorizedException(error.message);
      throw new ServiceUnavailableException((error as Error).message);
    }
    return true;
  }
}

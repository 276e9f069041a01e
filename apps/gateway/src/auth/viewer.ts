// The verified viewer on the request, and the route metadata the auth guard reads.
import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Viewer } from './token-verifier';

export type ViewerRequest = FastifyRequest & { viewer?: Viewer };

/** The viewer the auth guard verified; only on routes behind BearerAuthGuard. */
export const CurrentViewer = createParamDecorator((_data: unknown, context: ExecutionContext): Viewer => {
  const viewer = context.switchToHttp().getRequest<ViewerRequest>().viewer;
  if (!viewer) throw new Error('CurrentViewer used on a route without BearerAuthGuard');
  return viewer;
});

export const ACCEPTS_QUERY_TOKEN = 'gateway:acceptsQueryToken';
/** Lets a route take `?access_token=` when no Authorization header is sent (the EventSource stream). */
export const AcceptsQueryToken = () => SetMetadata(ACCEPTS_QUERY_TOKEN, true);

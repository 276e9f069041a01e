// Serves the built dashboard (apps/dashboard/dist) at `/`: its files, and index.html for the page's own
// client-side routes. The folder is looked up per request, so the gateway runs fine before the dashboard is
// built and serves it as soon as it is. API paths never fall through to the page.
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';

/**
 * The dashboard build in this checkout (apps/dashboard/dist, found from this file whether it runs from source,
 * apps/gateway/src/http, or compiled, dist/apps/gateway/src/http); DASHBOARD_DIST_DIR points elsewhere (another
 * build, or none in tests).
 */
export const DASHBOARD_DIST = resolve(process.env.DASHBOARD_DIST_DIR || workspaceRootOf(__dirname) + '/apps/dashboard/dist');
function workspaceRootOf(directory: string): string {
  const compiled = `${sep}dist${sep}apps${sep}`;
  const at = directory.lastIndexOf(compiled);
  return at >= 0 ? directory.slice(0, at) : resolve(directory, '../../../..');
}

const NOT_PAGE_ROUTES = /^\/(api|health|metrics)(\/|$)/;

export async function serveDashboard(fastify: FastifyInstance, root = DASHBOARD_DIST): Promise<void> {
  // serve: false — only `reply.sendFile`, with its path-traversal checks; routing is ours below.
  await fastify.register(fastifyStatic, { root, serve: false, decorateReply: true });
  fastify.get('/*', (request, reply) => answer(request, reply, root));
}

function answer(request: FastifyRequest, reply: FastifyReply, root: string): FastifyReply {
  const path = request.url.split('?')[0];
  if (NOT_PAGE_ROUTES.test(path)) return notFound(reply, `no route ${request.method} ${path}`);
  if (!existsSync(join(root, 'index.html'))) return notFound(reply, 'the dashboard is not built (apps/dashboard/dist is missing)');
  let file: string;
  try {
    file = decodeURIComponent(path).replace(/^\/+/, '');
  } catch {
    return notFound(reply, 'malformed path');
  }
  void reply.header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
  if (file !== '' && isFileInside(root, file)) {
    // Vite fingerprints everything under assets/: those never change under the same name.
    const immutable = file.startsWith('assets/');
    return reply.sendFile(file, { cacheControl: true, immutable, maxAge: immutable ? '365d' : 0 });
  }
  // A client route (no extension) gets the page; a missing asset is a real 404.
  if (extname(file) !== '') return notFound(reply, `no file ${path}`);
  return reply.header('Cache-Control', 'no-cache').sendFile('index.html', { cacheControl: false });
}

function isFileInside(root: string, relative: string): boolean {
  const absolute = resolve(root, relative);
  if (!absolute.startsWith(root + sep)) return false;
  try {
    return statSync(absolute).isFile();
  } catch {
    return false;
  }
}

function notFound(reply: FastifyReply, error: string): FastifyReply {
  return reply.status(404).type('application/json; charset=utf-8').send({ success: false, error, status: 404 });
}

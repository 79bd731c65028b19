import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { NOSNIFF, PAGE_HEADERS, staticPathAllowed } from '../core/http-policy.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Serves the dashboard build from `root`. The resolved real path must stay inside the real
 * root, so `..`, encoded slashes and symlinks pointing out are all refused. Returns false when
 * the request is not for a file here (the caller answers 404).
 */
export interface StaticOptions {
  /** GATEWAY_SOURCE_MAPS: serve `.map` files (the dashboard's is 2.5 MB and shows its whole source). */
  sourceMaps: boolean;
}

export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, pathname: string, options: StaticOptions = { sourceMaps: false }): Promise<boolean> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return false;
  }
  if (decoded.includes('\0')) return false;
  const rel = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  let file: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    file = await realpath(path.join(realRoot, path.normalize(rel)));
  } catch {
    return false;
  }
  if (file !== realRoot && !file.startsWith(realRoot + path.sep)) return false;
  // Judged on the real file, so a symlink named app.js cannot serve app.js.map.
  if (!staticPathAllowed(file, options.sourceMaps)) return false;
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) return false;
  const ext = path.extname(file).toLowerCase();
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': path.basename(file) === 'index.html' ? 'no-cache' : 'public, max-age=300',
    ...(ext === '.html' ? PAGE_HEADERS : NOSNIFF),
  });
  if (req.method === 'HEAD') {
    res.end();
    return true;
  }
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
  return true;
}

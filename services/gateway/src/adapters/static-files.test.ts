import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './static-files.js';

let dir: string;
let server: Server;
let port = 0;

/** Raw GET so the path reaches the server exactly as written (fetch would normalise `..`). */
function get(p: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

function head(p: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: p, method: 'HEAD' }, (res) => {
      res.resume();
      resolve(res.headers);
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gw-static-'));
  await mkdir(path.join(dir, 'public', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'public', 'index.html'), '<h1>dash</h1>');
  await writeFile(path.join(dir, 'public', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'public', 'assets', 'app.js.map'), '{"version":3}');
  await symlink(path.join(dir, 'public', 'assets', 'app.js.map'), path.join(dir, 'public', 'assets', 'alias.js'));
  await writeFile(path.join(dir, 'secret.txt'), 'do not serve');
  await symlink(path.join(dir, 'secret.txt'), path.join(dir, 'public', 'escape.txt'));
  server = createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0]!;
    void serveStatic(path.join(dir, 'public'), req, res, pathname).then((served) => {
      if (!served) res.writeHead(404).end('nope');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  port = typeof a === 'object' && a ? a.port : 0;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('serveStatic', () => {
  it.each([
    ['/', 200, '<h1>dash</h1>', 'text/html; charset=utf-8'],
    ['/index.html', 200, '<h1>dash</h1>', 'text/html; charset=utf-8'],
    ['/assets/app.js', 200, 'console.log(1)', 'text/javascript; charset=utf-8'],
  ])('serves %s', async (p, status, body, type) => {
    expect(await get(p)).toEqual({ status, body, type });
  });

  it('sends the page security headers on HTML and nosniff on everything', async () => {
    const page = await head('/');
    expect(page['content-security-policy']).toContain("default-src 'none'");
    expect(page).toMatchObject({ 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' });
    const js = await head('/assets/app.js');
    expect(js['x-content-type-options']).toBe('nosniff');
    expect(js['content-security-policy']).toBeUndefined();
  });

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/escape.txt', '/missing.js', '/assets/app.js.map', '/assets/alias.js', '/assets', '/a%00b'])(
    'refuses %s',
    async (p) => {
      expect((await get(p)).status).toBe(404);
    },
  );
});

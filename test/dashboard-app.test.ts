import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORIGIN, openTestDashboard } from './support/dashboard.js';

describe('dashboard app', () => {
  let dashboard: Awaited<ReturnType<typeof openTestDashboard>>;
  beforeAll(async () => {
    dashboard = await openTestDashboard('dashboard-app');
  });
  afterAll(() => dashboard.close());

  it.each(['/', '/ui/buckets', '/ui/queues', '/ui/overview/live', '/ui/outbox'])(
    'serves no page or data at %s without a session',
    async (path) => {
      const page = await dashboard.app.request(`${ORIGIN}${path}`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(303);
      expect(page.headers.get('location')).toBe(`/ui/sign-in?next=${encodeURIComponent(path)}`);
      const data = await dashboard.app.request(`${ORIGIN}${path}`);
      expect(data.status).toBe(401);
      const fragment = await dashboard.app.request(`${ORIGIN}${path}`, { headers: { 'hx-request': 'true' } });
      expect(fragment.status).toBe(401);
      expect(fragment.headers.get('hx-redirect')).toBe('/ui/sign-in');
    },
  );

  it('refuses a forged, expired or foreign session cookie', async () => {
    const forged = await dashboard.app.request(`${ORIGIN}/`, {
      headers: { cookie: `tributary_session=${Date.now()}.bm90LWEtc2lnbmF0dXJl` },
    });
    expect(forged.status).toBe(401);
  });

  it('refuses a client token and a wrong token at sign-in, saying which', async () => {
    const token = (await dashboard.services.api.clients.add('monzo')).token as string;
    for (const [given, status, message] of [
      [token, 403, 'not the admin token'],
      ['trb_wrong', 403, 'not the admin token'],
      ['', 400, 'Enter the admin token'],
    ] as const) {
      const response = await dashboard.app.request(`${ORIGIN}/ui/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
        body: new URLSearchParams({ token: given }).toString(),
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('set-cookie')).toBeNull();
      expect(await response.text()).toContain(message);
    }
  });

  it('signs in by link, and only ever redirects to a path of this server', async () => {
    const token = encodeURIComponent(dashboard.fabric.adminToken);
    for (const [next, location] of [
      ['/ui/queues', '/ui/queues'],
      ['//evil.example/x', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example', '/'],
    ]) {
      const response = await dashboard.app.request(
        `${ORIGIN}/ui/sign-in?token=${token}&next=${encodeURIComponent(next as string)}`,
      );
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(location);
      expect(response.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    }
  });

  it('refuses a cross-site form post even with a session', async () => {
    const response = await dashboard.request('/ui/sign-out', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: '',
    });
    expect(response.status).toBe(403);
  });

  it('sends a strict content security policy and serves its scripts itself', async () => {
    const page = await dashboard.request('/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    const html = await page.text();
    const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).toEqual([]);
    for (const asset of sources.filter((s) => s.startsWith('/ui/assets/'))) {
      const response = await dashboard.request(asset);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
    expect((await dashboard.request('/ui/assets/..%2Fapp.tsx')).status).toBe(404);
  });

  it('shows a 404 page for an unknown path', async () => {
    const response = await dashboard.request('/ui/nowhere');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('No page /ui/nowhere');
  });
});

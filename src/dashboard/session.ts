import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

/** The dashboard's session cookie: HttpOnly, SameSite=Strict, signed with a key from the admin token. */
export const SESSION_COOKIE = 'tributary_session';
/** How long a sign-in lasts. */
export const SESSION_HOURS = 12;

// Signed with a key derived from the admin token: rotating the token signs everyone out.
const secretOf = (adminToken: string) => `tributary-dashboard-session:${adminToken}`;

/** Starts a session: the cookie holds when it was issued, signed. */
export async function startSession(c: Context, adminToken: string, now: Date): Promise<void> {
  await setSignedCookie(c, SESSION_COOKIE, String(now.getTime()), secretOf(adminToken), {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    maxAge: SESSION_HOURS * 3600,
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** Whether the request carries a session signed with this admin token and not yet expired. */
export async function hasSession(c: Context, adminToken: string, now: Date): Promise<boolean> {
  if (!adminToken) return false;
  const value = await getSignedCookie(c, secretOf(adminToken), SESSION_COOKIE);
  if (!value) return false;
  const issuedAt = Number(value);
  const age = now.getTime() - issuedAt;
  return Number.isFinite(issuedAt) && age >= 0 && age < SESSION_HOURS * 3600 * 1000;
}

/** Where to go after signing in: a path on this server only, never another origin. */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}

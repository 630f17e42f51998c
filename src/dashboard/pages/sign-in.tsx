import type { Context, Hono } from 'hono';
import { authorizeBearer } from '../../core/access/authorize-bearer.js';
import { Notice } from '../components.js';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';
import { endSession, safeNext, startSession } from '../session.js';

const SignInForm = ({ next, error }: { next: string; error?: string }) => (
  <Page title="Sign in" signedIn={false}>
    {error && <Notice kind="error">{error}</Notice>}
    <form method="post" action="/ui/sign-in" class="sign-in">
      <input type="hidden" name="next" value={next} />
      <label for="token">Admin token</label>
      <input
        id="token"
        name="token"
        type="password"
        autocomplete="current-password"
        required
        aria-describedby="token-help"
      />
      <p id="token-help" class="help">
        <code>tributary dev</code> prints it, and a link that signs in; <code>tributary token</code> prints it
        again.
      </p>
      <button type="submit">Sign in</button>
    </form>
  </Page>
);

/**
 * Sign-in with the admin token, by the form or by the link `tributary dev` prints
 * (`/ui/sign-in?token=…`, which redirects at once so the token leaves the address bar).
 * A client's token does not sign in: the dashboard is the operator's.
 */
export function registerSignInPages(
  app: Hono,
  services: DashboardServices,
  options: { auth: boolean },
): void {
  const signIn = async (c: Context, token: string | undefined, next: string) => {
    if (!options.auth) return c.redirect(next, 303);
    const outcome = await authorizeBearer(token ? `Bearer ${token}` : undefined, services.api.auth);
    if ('principal' in outcome && outcome.principal.kind === 'admin') {
      await startSession(c, services.api.auth.adminToken, services.api.clock.now());
      return c.redirect(next, 303);
    }
    const error = token ? 'That is not the admin token.' : 'Enter the admin token.';
    return c.html(<SignInForm next={next} error={error} />, token ? 403 : 400);
  };

  app.get('/ui/sign-in', async (c) => {
    const next = safeNext(c.req.query('next'));
    const token = c.req.query('token');
    if (token !== undefined) return signIn(c, token, next);
    if (!options.auth) return c.redirect(next, 303);
    return c.html(<SignInForm next={next} />);
  });

  app.post('/ui/sign-in', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : undefined;
    return signIn(c, token || undefined, safeNext(typeof form.next === 'string' ? form.next : undefined));
  });

  app.post('/ui/sign-out', (c) => {
    endSession(c);
    return c.redirect('/ui/sign-in', 303);
  });
}

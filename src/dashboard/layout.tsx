import type { Child, FC } from 'hono/jsx';

/** The dashboard's sections, in the order the navigation lists them. */
export const sections = [
  { id: 'overview', label: 'Overview', href: '/' },
  { id: 'buckets', label: 'Buckets', href: '/ui/buckets' },
  { id: 'statements', label: 'Statements', href: '/ui/statements' },
  { id: 'events', label: 'Events', href: '/ui/events' },
  { id: 'orders', label: 'Orders', href: '/ui/orders' },
  { id: 'loader', label: 'Loader', href: '/ui/loader' },
  { id: 'queues', label: 'Queues', href: '/ui/queues' },
  { id: 'outbox', label: 'Outbox', href: '/ui/outbox' },
] as const;

export type SectionId = (typeof sections)[number]['id'];

// htmx must not inject its indicator <style> (the CSP allows no inline style) nor evaluate code.
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
});

/**
 * The page shell: navigation, the section's content, and the scripts (all served by this server).
 * `signedIn` false leaves out the navigation and the sign-out button (the sign-in page).
 */
export const Page: FC<{ title: string; current?: SectionId; signedIn?: boolean; children?: Child }> = ({
  title,
  current,
  signedIn = true,
  children,
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="htmx-config" content={HTMX_CONFIG} />
      <title>{`${title} · Tributary`}</title>
      <link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href="/ui/assets/dashboard.css" />
      <script src="/ui/assets/htmx.min.js" defer />
      <script src="/ui/assets/chart.umd.min.js" defer />
      <script src="/ui/assets/dashboard.js" defer />
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Tributary
        </a>
        {signedIn && (
          <nav aria-label="Sections">
            <ul>
              {sections.map((section) => (
                <li>
                  <a href={section.href} aria-current={section.id === current ? 'page' : undefined}>
                    {section.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        {signedIn && (
          <form method="post" action="/ui/sign-out" class="sign-out">
            <button type="submit">Sign out</button>
          </form>
        )}
      </header>
      <main id="main" tabindex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </body>
  </html>
);

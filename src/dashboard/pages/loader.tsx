import type { Hono } from 'hono';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';

// PLACEHOLDER: replaced in this session by the section's pages.
export function registerLoaderPages(app: Hono, _services: DashboardServices): void {
  app.get('/ui/loader', (c) => c.html(<Page title="Loader" current="loader" />));
}

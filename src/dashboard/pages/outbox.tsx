import type { Hono } from 'hono';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';

// PLACEHOLDER: replaced in this session by the section's pages.
export function registerOutboxPages(app: Hono, _services: DashboardServices): void {
  app.get('/ui/outbox', (c) => c.html(<Page title="Outbox" current="outbox" />));
}

import type { Hono } from 'hono';
import { Page } from '../layout.js';
import type { DashboardServices } from '../services.js';

// PLACEHOLDER: replaced in this session by the section's pages.
export function registerEventPages(app: Hono, _services: DashboardServices): void {
  app.get('/ui/events', (c) => c.html(<Page title="Events" current="events" />));
}

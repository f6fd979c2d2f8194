// Which methods a path answers, so that a known path called with another method is 405 with
// an Allow header (RFC 9110 §15.5.6) rather than 404.
import type { FastifyInstance } from 'fastify';

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

const escape = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A Fastify URL pattern (`/lots/:id/units`, `/docs/*`) as a regular expression over paths. */
function patternOf(url: string): RegExp {
  const body = url
    .split('/')
    .map((part) => (part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : escape(part)))
    .join('/');
  return new RegExp(`^${body}/?$`);
}

/** Collects every route as it is registered; call before the routes are. */
export function trackAllowedMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, KnownRoute>();
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const known = routes.get(route.url) ?? { pattern: patternOf(route.url), methods: new Set<string>() };
    for (const method of methods) known.methods.add(method.toUpperCase());
    routes.set(route.url, known);
  });
  return (path) => {
    const allowed = new Set<string>();
    for (const route of routes.values()) if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
    return [...allowed].sort();
  };
}

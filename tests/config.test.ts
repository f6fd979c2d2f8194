import { describe, expect, it } from 'vitest';
import { ConfigError, databaseTarget, loadConfig } from '../src/config.ts';

describe('configuration', () => {
  it('takes defaults when nothing is set: PGlite in ./data on port 3000', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', DATA_DIR: './data', LOG_LEVEL: 'info', MIGRATE_ON_START: true });
    expect(databaseTarget(config)).toEqual({ engine: 'pglite', dataDir: './data' });
  });

  it('chooses PostgreSQL when DATABASE_URL is a postgresql:// URL', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://u@localhost:5432/db' });
    expect(databaseTarget(config)).toEqual({ engine: 'postgresql', url: 'postgresql://u@localhost:5432/db' });
  });

  it('names every bad variable with its own message', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', MIGRATE_ON_START: 'maybe', BOOTSTRAP_ADMIN_KEY: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MIGRATE_ON_START', 'BOOTSTRAP_ADMIN_KEY']) expect(problems).toContain(`${name}:`);
      expect(problems).toContain('postgresql://');
    }
  });

  it('refuses a port out of range and treats empty variables as unset', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(loadConfig({ PORT: '', DATA_DIR: '' })).toMatchObject({ PORT: 3000, DATA_DIR: './data' });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });
});

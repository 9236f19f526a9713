import { existsSync } from 'node:fs';

import { migrationsFolder } from '../../src/platform/db/migrate';
import { packageInfo, packagePath } from '../../src/shared/assets';

describe('the files shipped with the server', () => {
  it('are found from the package root: package.json, the migrations of both databases', () => {
    expect(packageInfo().name).toBe('gallery-server');
    expect(existsSync(packagePath('package.json'))).toBe(true);
    expect(existsSync(migrationsFolder('sqlite'))).toBe(true);
    expect(existsSync(migrationsFolder('postgres'))).toBe(true);
  });
});

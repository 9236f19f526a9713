import { isCommonPassword } from '../../src/features/auth/common-passwords';
import list from '../../src/features/auth/common-passwords.json';

describe('the common password list', () => {
  it('holds the 10,000 most common passwords', () => {
    expect(list.passwords).toHaveLength(10_000);
    expect(list.passwords.slice(0, 3)).toEqual(['123456', 'password', '12345678']);
  });

  it('matches whatever the case, and only whole passwords', () => {
    expect(isCommonPassword('Password')).toBe(true);
    expect(isCommonPassword('QWERTYUIOP')).toBe(true);
    expect(isCommonPassword('correct horse battery')).toBe(false);
  });
});

// The single sign-on settings: what they become, and the clear refusals of a server that would
// start with them wrong.
import { spawnSync } from 'node:child_process';

import { loadConfig } from '../../src/shared/config';
import { SERVER_COMMAND } from '../helpers/server-process';

const base = { PUBLIC_URL: 'https://gallery.example.com', OIDC_CLIENT_ID: 'gallery' };

describe('single sign-on configuration', () => {
  it('is off without OIDC_ISSUER', () => {
    expect(loadConfig({}).oidc).toBeNull();
  });

  it('has defaults for everything but the issuer and the client', () => {
    const { oidc } = loadConfig({ ...base, OIDC_ISSUER: 'https://login.example.com/realms/staff' });
    expect(oidc).toEqual({
      issuer: 'https://login.example.com/realms/staff',
      clientId: 'gallery',
      clientSecret: undefined,
      scopes: ['openid', 'profile', 'email'],
      redirectUri: 'https://gallery.example.com/api/auth/oidc/callback',
      usernameClaim: 'preferred_username',
      defaultRole: 'subscriber',
      roleClaim: 'groups',
      roleMap: [],
      linkByEmail: false,
      passwordSignIn: false,
      buttonLabel: 'single sign-on',
    });
  });

  it('reads every variable', () => {
    const { oidc } = loadConfig({
      ...base,
      OIDC_ISSUER: 'http://127.0.0.1:9000',
      OIDC_CLIENT_SECRET: 'secret',
      OIDC_SCOPES: 'openid  email groups',
      OIDC_USERNAME_CLAIM: 'email',
      OIDC_DEFAULT_ROLE: 'company_user',
      OIDC_ROLE_CLAIM: 'roles',
      OIDC_ROLE_MAP: 'photographers=beta_player, staff = company_user,it=admin',
      OIDC_LINK_BY_EMAIL: 'true',
      OIDC_PASSWORD_SIGN_IN: 'yes',
      OIDC_BUTTON_LABEL: 'Example SSO',
    });
    expect(oidc).toMatchObject({
      clientSecret: 'secret',
      scopes: ['openid', 'email', 'groups'],
      usernameClaim: 'email',
      defaultRole: 'company_user',
      roleClaim: 'roles',
      roleMap: [
        { value: 'photographers', role: 'beta_player' },
        { value: 'staff', role: 'company_user' },
        { value: 'it', role: 'admin' },
      ],
      linkByEmail: true,
      passwordSignIn: true,
      buttonLabel: 'Example SSO',
    });
  });

  it.each([
    [{ OIDC_ISSUER: 'not a url' }, /OIDC_ISSUER: an http\(s\) URL/],
    [{ OIDC_ISSUER: 'http://login.example.com' }, /OIDC_ISSUER: must be https \(plain http only for localhost/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_CLIENT_ID: '' }, /OIDC_CLIENT_ID: required with OIDC_ISSUER/],
    [{ OIDC_ISSUER: 'https://login.example.com', PUBLIC_URL: '' }, /PUBLIC_URL: required with OIDC_ISSUER/],
    [{ OIDC_CLIENT_SECRET: 'secret' }, /OIDC_ISSUER: required with the other OIDC_ variables/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_SCOPES: 'profile email' }, /OIDC_SCOPES: must include openid/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_DEFAULT_ROLE: 'boss' }, /OIDC_DEFAULT_ROLE: one of admin/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_ROLE_MAP: 'staff=boss' }, /OIDC_ROLE_MAP.*one of admin/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_ROLE_MAP: '=admin' }, /OIDC_ROLE_MAP.*a claim value/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_USERNAME_CLAIM: 'a b' }, /OIDC_USERNAME_CLAIM: a claim name/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_LINK_BY_EMAIL: 'maybe' }, /OIDC_LINK_BY_EMAIL/],
    [{ OIDC_ISSUER: 'https://login.example.com', OIDC_BUTTON_LABEL: '<b>Hi</b>' }, /OIDC_BUTTON_LABEL: no < or >/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('stops the server at start with a clear message, not a stack', () => {
    const env = { ...process.env, ...base, OIDC_ISSUER: 'http://login.example.com', PUBLIC_URL: '' };
    const run = spawnSync(SERVER_COMMAND[0], SERVER_COMMAND.slice(1), { env, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/OIDC_ISSUER: must be https \(plain http only for localhost or 127\.0\.0\.1\)/);
    expect(run.stderr).toMatch(
      /PUBLIC_URL: required with OIDC_ISSUER \(the redirect URI is PUBLIC_URL\/api\/auth\/oidc\/callback\)/,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

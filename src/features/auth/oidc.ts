import type { Database } from '../../platform/db/client';
import type { Logger } from '../../shared/logger';
import type { OidcConfig } from '../../shared/oidc-config';
import type { AuditLog } from '../audit';
import type { RolesService } from '../roles';
import type { AuthService } from './auth.service';
import { createOidcAccounts } from './oidc-accounts';
import { createOidcClient, SsoError, type OidcTransaction } from './oidc-client';

type Deps = {
  db: Database;
  audit: AuditLog;
  roles: RolesService;
  auth: AuthService;
  config: OidcConfig;
  bcryptCost: number;
  logger: Logger;
  forgetUser: (userId: number) => void;
};

/**
 * Single sign-on with an OpenID Provider: the way out to the provider, and the way back that ends
 * in the same browser session as a password sign-in (a `browser` token in the session cookie).
 * The provider's sign-in is the account's factor: an account with two-factor sign-in is not asked
 * for its code here (the provider applies the company's own rules, second factor included).
 */
export function createOidc(deps: Deps) {
  const { audit, auth, config } = deps;
  const client = createOidcClient(config);
  const accounts = createOidcAccounts(deps);

  /** The browser's session for the identity the provider vouches for: a `browser` token. */
  async function finish(currentUrl: URL, transaction: OidcTransaction, address: string | null) {
    const claims = await client.finish(currentUrl, transaction);
    const { account, created } = await accounts.accountFor(claims, address);
    const session = await auth.issueToken(account, address, 'browser');
    await audit.record({
      action: 'oidc.login',
      actor: account,
      target: { type: 'user', id: account.id },
      detail: `issuer=${claims.iss}${created ? ' new account' : ''}`,
      address,
    });
    return { ...session, account };
  }

  /** A failure of the flow, for the server's log (the browser only sees its code). */
  function logFailure(error: unknown) {
    if (error instanceof SsoError)
      deps.logger.warn('single sign-on failed', { code: error.code, reason: error.message });
    else deps.logger.error('single sign-on failed', { error: error instanceof Error ? error.stack : String(error) });
  }

  return { begin: client.begin, finish, logFailure, buttonLabel: config.buttonLabel };
}

export type Oidc = ReturnType<typeof createOidc>;

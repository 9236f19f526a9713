// Signing in and staying signed in: registration, login and logout, tokens (session and personal),
// password changes, single sign-on (OpenID Connect), two-factor sign-in (TOTP and recovery codes), passkeys (WebAuthn), the throttle of attempts at a secret (also used by share links' passwords), and
// the passport strategies that turn a request's token into an Actor. Needs users, roles and audit.
export { createAttemptThrottle, type AttemptThrottle } from './attempt-throttle';
export { authRoutes } from './auth.routes';
export { passwordField, USERNAME_RULE } from './auth.schemas';
export { createAuthService, type AuthService } from './auth.service';
export { createInvites, type Invites } from './invites';
export { joinRoutes } from './join.routes';
export { createOidc, type Oidc } from './oidc';
export { oidcRoutes } from './oidc.routes';
export { createPasskeys, type Passkeys } from './passkeys';
export { passkeyRoutes } from './passkeys.routes';
export { createPasswordCheck } from './password-check';
export { createPasswordReset, type PasswordReset } from './password-reset';
export { createPassport, type Authenticator } from './passport';
export { createTokenCache, type TokenCache } from './token-cache';
export { tokenRoutes } from './tokens.routes';
export { twoFactorRoutes } from './two-factor.routes';

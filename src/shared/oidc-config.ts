import { z } from 'zod';

import { DEFAULT_ROLE, ROLES, type RoleName } from './permissions';

const roleName = z.enum(ROLES.map((role) => role.name) as [RoleName, ...RoleName[]], {
  error: `one of ${ROLES.map((role) => role.name).join(', ')}`,
});

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

/** `photographers=beta_player,staff=company_user`: claim values and the role each gives, in order. */
const roleMap = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => {
        const eq = pair.lastIndexOf('=');
        return { value: eq === -1 ? pair : pair.slice(0, eq).trim(), role: eq === -1 ? '' : pair.slice(eq + 1).trim() };
      }),
  )
  .pipe(
    z.array(
      z.strictObject({
        value: z.string().min(1, 'a claim value before each "="').max(200),
        role: roleName,
      }),
    ),
  );

/** A claim's name: letters, digits and `_ . : -` (`preferred_username`, `groups`, `https://x/roles` is not one). */
const claimName = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'a claim name: letters, digits and _ . : - only');

/**
 * The variables of single sign-on with an OpenID Provider (docs/configuration.md). Single sign-on is
 * on when OIDC_ISSUER is set.
 */
export const OIDC_ENV = {
  OIDC_ISSUER: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL: the issuer identifier of the provider' })
    .optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(256).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(1024).optional(),
  OIDC_SCOPES: z
    .string()
    .transform((value) => value.split(/\s+/).filter(Boolean))
    .pipe(
      z
        .array(z.string().regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'))
        .refine((scopes) => scopes.includes('openid'), 'must include openid'),
    )
    .default(['openid', 'profile', 'email']),
  OIDC_USERNAME_CLAIM: claimName.default('preferred_username'),
  OIDC_DEFAULT_ROLE: roleName.default(DEFAULT_ROLE),
  OIDC_ROLE_CLAIM: claimName.default('groups'),
  OIDC_ROLE_MAP: roleMap.default([]),
  OIDC_LINK_BY_EMAIL: booleanFromEnv.default(false),
  OIDC_PASSWORD_SIGN_IN: booleanFromEnv.default(false),
  OIDC_BUTTON_LABEL: z
    .string()
    .trim()
    .min(1)
    .max(40, 'at most 40 characters')
    .regex(/^[^<>]*$/, 'no < or >')
    .optional(),
};

type OidcEnv = z.output<z.ZodObject<typeof OIDC_ENV>>;

export type OidcConfig = {
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE alone). */
  clientSecret?: string;
  scopes: string[];
  /** Where the provider sends the browser back: PUBLIC_URL + /api/auth/oidc/callback. */
  redirectUri: string;
  usernameClaim: string;
  defaultRole: RoleName;
  roleClaim: string;
  roleMap: { value: string; role: RoleName }[];
  linkByEmail: boolean;
  /** Whether the accounts made by single sign-on may also sign in with a password. */
  passwordSignIn: boolean;
  buttonLabel: string;
};

export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The rules between these variables (and PUBLIC_URL, which the redirect URI is made from). */
export function oidcChecks(e: OidcEnv & { PUBLIC_URL?: string }): string[] {
  const broken: string[] = [];
  const others = [e.OIDC_CLIENT_ID, e.OIDC_CLIENT_SECRET, e.OIDC_BUTTON_LABEL].some(Boolean) || e.OIDC_ROLE_MAP.length;
  if (!e.OIDC_ISSUER) {
    if (others)
      broken.push('OIDC_ISSUER: required with the other OIDC_ variables (single sign-on is on when it is set)');
    return broken;
  }
  const issuer = new URL(e.OIDC_ISSUER);
  if (issuer.protocol === 'http:' && !LOCAL_HOSTS.has(issuer.hostname))
    broken.push('OIDC_ISSUER: must be https (plain http only for localhost or 127.0.0.1)');
  if (issuer.search || issuer.hash) broken.push('OIDC_ISSUER: no query or fragment in an issuer identifier');
  if (!e.OIDC_CLIENT_ID) broken.push('OIDC_CLIENT_ID: required with OIDC_ISSUER');
  if (!e.PUBLIC_URL)
    broken.push(`PUBLIC_URL: required with OIDC_ISSUER (the redirect URI is PUBLIC_URL${OIDC_CALLBACK_PATH})`);
  return broken;
}

export function oidcConfigOf(e: OidcEnv & { PUBLIC_URL?: string }): { oidc: OidcConfig | null } {
  if (!e.OIDC_ISSUER || !e.OIDC_CLIENT_ID || !e.PUBLIC_URL) return { oidc: null };
  return {
    oidc: {
      issuer: e.OIDC_ISSUER,
      clientId: e.OIDC_CLIENT_ID,
      clientSecret: e.OIDC_CLIENT_SECRET,
      scopes: e.OIDC_SCOPES,
      redirectUri: `${e.PUBLIC_URL}${OIDC_CALLBACK_PATH}`,
      usernameClaim: e.OIDC_USERNAME_CLAIM,
      defaultRole: e.OIDC_DEFAULT_ROLE,
      roleClaim: e.OIDC_ROLE_CLAIM,
      roleMap: e.OIDC_ROLE_MAP,
      linkByEmail: e.OIDC_LINK_BY_EMAIL,
      passwordSignIn: e.OIDC_PASSWORD_SIGN_IN,
      buttonLabel: e.OIDC_BUTTON_LABEL ?? 'single sign-on',
    },
  };
}

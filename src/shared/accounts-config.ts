import { z } from 'zod';

/**
 * The variables of who may join and how a forgotten password comes back (docs/configuration.md):
 * registration modes and invites, the visibility of new galleries, and the mail server that sends
 * password reset links. Checked with the rest at start.
 */
export const ACCOUNTS_ENV = {
  REGISTRATION: z.enum(['open', 'closed', 'invite']).default('open'),
  REGISTRATION_DOMAINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((domain) => domain.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/, 'a comma-separated list of domains (example.com)')))
    .default([]),
  INVITE_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  DEFAULT_GALLERY_VISIBILITY: z.enum(['shared', 'private']).default('shared'),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_HOST: z.string().min(1).max(253).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587),
  SMTP_SECURE: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .default(false),
  SMTP_USER: z.string().min(1).max(256).optional(),
  SMTP_PASSWORD: z.string().min(1).max(256).optional(),
  MAIL_FROM: z.string().min(3).max(320).optional(),
};

type AccountsEnv = z.output<z.ZodObject<typeof ACCOUNTS_ENV>>;

/** How mail goes out: an smtp(s):// URL, or a host with its port, TLS and login. */
export type MailConfig = {
  transport: string | { host: string; port: number; secure: boolean; auth?: { user: string; pass: string } };
  from: string;
};

export type AccountsConfig = {
  /** Who may register: anyone, nobody (admins make accounts), or whoever holds an admin's invite. */
  registration: { mode: 'open' | 'closed' | 'invite'; domains: string[]; inviteTtlMs: number };
  /** The visibility of a gallery made without one. */
  defaultGalleryVisibility: 'shared' | 'private';
  /** Null: no mail server, password reset by email is off (501). */
  mail: MailConfig | null;
};

/** The rules between these variables (and PUBLIC_URL, which reset links are made from). */
export function accountsChecks(e: AccountsEnv & { PUBLIC_URL?: string }): string[] {
  const broken: string[] = [];
  if (e.SMTP_URL && e.SMTP_HOST) broken.push('SMTP_URL, SMTP_HOST: set one or the other');
  if (Boolean(e.SMTP_USER) !== Boolean(e.SMTP_PASSWORD)) broken.push('SMTP_USER, SMTP_PASSWORD: set both or neither');
  const mail = Boolean(e.SMTP_URL || e.SMTP_HOST);
  if (mail && !e.MAIL_FROM) broken.push('MAIL_FROM: required when mail is set up (SMTP_URL or SMTP_HOST)');
  if (mail && !e.PUBLIC_URL)
    broken.push('PUBLIC_URL: required when mail is set up (password reset links are made from it)');
  return broken;
}

export function accountsConfigOf(e: AccountsEnv): AccountsConfig {
  const auth = e.SMTP_USER && e.SMTP_PASSWORD ? { user: e.SMTP_USER, pass: e.SMTP_PASSWORD } : undefined;
  const transport =
    e.SMTP_URL ?? (e.SMTP_HOST ? { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, auth } : null);
  return {
    registration: { mode: e.REGISTRATION, domains: e.REGISTRATION_DOMAINS, inviteTtlMs: e.INVITE_DAYS * 86_400_000 },
    defaultGalleryVisibility: e.DEFAULT_GALLERY_VISIBILITY,
    mail: transport && e.MAIL_FROM ? { transport, from: e.MAIL_FROM } : null,
  };
}

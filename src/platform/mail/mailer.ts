import nodemailer from 'nodemailer';

import type { MailConfig } from '../../shared/accounts-config';

/** One plain-text message to one address. */
export type Mail = { to: string; subject: string; text: string };

/** Sends mail; a failure to send is thrown (the caller logs it: nobody waits for the message). */
export type Mailer = { send(mail: Mail): Promise<void>; close(): void };

/** A mailer on the configured SMTP server (nodemailer). */
export function createMailer(config: MailConfig): Mailer {
  // One connection per message: reset mails are few, and nothing stays open between them.
  const transport = nodemailer.createTransport(config.transport);
  return {
    async send(mail) {
      await transport.sendMail({ from: config.from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}

import { z } from 'zod';

import { id, timestamp } from '../../http/response-schemas';
import { idParam } from '../../shared/ids';
import { pageQuery } from '../../shared/paging';

export const auditReply = z.strictObject({
  id,
  at: timestamp,
  action: z.string(),
  outcome: z.enum(['ok', 'failed']),
  actor: z.strictObject({ id, username: z.string() }).nullable(),
  target: z.strictObject({ type: z.string(), id }).nullable(),
  address: z.string().nullable(),
  detail: z.string().nullable(),
});

export const auditQuery = z.object({
  action: z.string().max(50).optional(),
  actor: idParam.optional(),
  outcome: z.enum(['ok', 'failed']).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  ...pageQuery,
});

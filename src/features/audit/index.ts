// The audit log: who did what, to what, from where. Every other feature records through
// `AuditLog.withEvent` (in the transaction of the change) or `record`; this feature needs none.
export { auditRoutes } from './audit.routes';
export { createAuditLog, type AuditEvent, type AuditLog } from './audit.service';

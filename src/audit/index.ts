export { AuditLog, createAuditLog, type AuditLogOptions } from './log';
export { AuditEntrySchema, GENESIS, entryHmac, type AuditEntry, type AuditInput } from './entry';
export { verifyAuditChain, type AuditProblem, type AuditVerifyOptions, type AuditVerifyResult } from './verify';
export { runAuditVerify, type RunAuditVerifyOptions } from './verify-command';

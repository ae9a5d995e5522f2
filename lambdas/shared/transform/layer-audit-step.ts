import { type AuditFinding, type AuditLayers, auditLayers } from '../audit/layer-audit.js';
import type { Warehouse } from '../warehouse/warehouse.js';

/**
 * Findings an audit step returns at most. The result travels through the state machine's payload
 * and its logged history, which must stay small whatever the warehouse holds; `unexplained` still
 * counts the records of every finding.
 */
export const AUDIT_FINDINGS_RETURNED = 30;

/** The audit of the warehouse's layers, as the state machine's audit step returns it. */
export interface LayerAuditStep {
  /** Records no layer explains; the metric the alarm watches. Zero when everything adds up. */
  readonly unexplained: number;
  /** The first findings: each names a lake file, an event id, a device or a song, never a user. */
  readonly findings: readonly AuditFinding[];
  /** Findings beyond {@link AUDIT_FINDINGS_RETURNED}, counted but not listed. */
  readonly findingsLeftOut: number;
  /** Checks skipped, with why. */
  readonly notes: readonly string[];
  readonly layers: AuditLayers;
}

/** Counts the warehouse's records layer by layer ({@link auditLayers}) and keeps the result small. */
export async function auditLayersStep(warehouse: Warehouse, sqlDir: string): Promise<LayerAuditStep> {
  const audit = await auditLayers(warehouse, sqlDir);
  return {
    unexplained: audit.unexplained,
    findings: audit.findings.slice(0, AUDIT_FINDINGS_RETURNED),
    findingsLeftOut: Math.max(0, audit.findings.length - AUDIT_FINDINGS_RETURNED),
    notes: audit.notes,
    layers: audit.layers,
  };
}

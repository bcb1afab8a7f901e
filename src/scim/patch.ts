import {
  InvalidScimPatchRequest,
  InvalidScimRemoveValue,
  NoPathInScimPatchOp,
  NoTarget,
  type ScimPatchOperation,
  type ScimResource,
  scimPatch,
} from 'scim-patch';
import type { Operation } from './dialects';
import { invalidPath, invalidSyntax, invalidValue, ScimError } from './errors';

/**
 * The operations applied, by scim-patch, to a copy of the resource's writable attributes; the
 * result is then read as a PUT's body would be. scim-patch's refusals as SCIM's: a filter that
 * matches nothing for a replace is noTarget, a path it cannot follow invalidPath.
 */
export function applyPatch(
  resource: Record<string, unknown>,
  operations: Operation[],
): Record<string, unknown> {
  try {
    const copy = structuredClone(resource) as unknown as ScimResource;
    return scimPatch(copy, operations as ScimPatchOperation[], {
      mutateDocument: true,
      treatMissingAsAdd: true,
    }) as unknown as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ScimError) throw error;
    const reason = (error as Error).message;
    if (error instanceof NoTarget || error instanceof NoPathInScimPatchOp)
      throw new ScimError(400, 'noTarget', `Nothing matches the operation’s path: ${reason}`);
    if (error instanceof InvalidScimRemoveValue)
      throw invalidValue(`The value to remove cannot be used: ${reason}`);
    if (error instanceof InvalidScimPatchRequest) throw invalidSyntax(reason);
    throw invalidPath(`The operation cannot be applied: ${reason}`);
  }
}

import aslValidator from 'asl-validator';
import type { AslDefinition } from '../../src/topology.js';

export interface AslValidation {
  valid: boolean;
  /** One line per problem: `<ERROR_CODE>: <message>`. */
  errors: string[];
}

/**
 * Checks an Amazon States Language definition with asl-validator (JSON schema, transitions,
 * state names, JSONPaths and ARNs), as a test of a state machine's module does. The runner itself
 * validates through aws-local-stepfunctions when it loads a definition.
 *
 * @example
 * expect(validateAsl(auctionDefinition(localFunctionArn))).toEqual({ valid: true, errors: [] });
 */
export function validateAsl(definition: AslDefinition): AslValidation {
  // The validator adds fields to what it checks: give it a copy.
  const result = aslValidator(structuredClone(definition), { checkPaths: true, checkArn: true });
  return { valid: result.isValid, errors: result.errors.map((e) => `${e['Error code']}: ${e.Message}`) };
}

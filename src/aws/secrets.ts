import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from './clients.js';

/** Reads the current text of a secret, by ARN or name. */
export type SecretReader = (secretId: string) => Promise<string>;

/** How long a read value is trusted before it is read again, so a rotated secret is picked up. */
export const SECRET_MAX_AGE_MS = 5 * 60_000;

/** Secrets Manager `GetSecretValue` (the AWSCURRENT version); a binary secret is refused. */
export const readFromSecretsManager: SecretReader = async (secretId) => {
  const output = await secretsManagerClient().send(new GetSecretValueCommand({ SecretId: secretId }));
  if (output.SecretString === undefined) {
    throw new Error(
      `secret "${secretId}" has no text value (SecretString); binary secrets are not supported`,
    );
  }
  return output.SecretString;
};

let reader: SecretReader = readFromSecretsManager;
const cache = new Map<string, { value: Promise<string>; readAt: number }>();

/**
 * Replaces how secrets are read, and forgets what was read. Secrets Manager has no emulator
 * here: the handler tests supply the secret values through this.
 */
export function setSecretReader(next: SecretReader): void {
  reader = next;
  cache.clear();
}

/**
 * The text of a secret, read once per container and kept for {@link SECRET_MAX_AGE_MS} (or until
 * {@link forgetSecret}); concurrent callers share one read, and a failed read is not kept.
 */
export function secretText(secretId: string, now = Date.now()): Promise<string> {
  const cached = cache.get(secretId);
  if (cached && now - cached.readAt < SECRET_MAX_AGE_MS) return cached.value;
  const value = reader(secretId);
  const entry = { value, readAt: now };
  cache.set(secretId, entry);
  value.catch(() => {
    if (cache.get(secretId) === entry) cache.delete(secretId);
  });
  return value;
}

/** Drops the kept value of a secret (its credentials were refused: it may have been rotated). */
export function forgetSecret(secretId: string): void {
  cache.delete(secretId);
}

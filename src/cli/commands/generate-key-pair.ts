/**
 * `distill generate-key-pair`: cosign.key (encrypted as cosign encrypts it, password from
 * $COSIGN_PASSWORD) and cosign.pub — files cosign reads, as `cosign generate-key-pair` writes them.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { encryptPrivateKey, generateKeyPair, publicKeyPem, SignError } from '../../sign/index.ts';
import { consoleOutput } from '../console-output.ts';

interface Flags {
  outputKeyPrefix: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('generate-key-pair')
    .description(
      'write cosign.key (encrypted with $COSIGN_PASSWORD) and cosign.pub, as cosign generate-key-pair does',
    )
    .option('--output-key-prefix <prefix>', 'name the files PREFIX.key and PREFIX.pub', 'cosign')
    .option('--json', 'print the result as JSON')
    .action(async (o: Flags) => {
      const out = consoleOutput(Boolean(o.json));
      const password = process.env.COSIGN_PASSWORD;
      if (password === undefined)
        throw new SignError(
          'SIGN_KEY_PASSWORD_MISSING',
          'set COSIGN_PASSWORD to the password that will protect the key',
        );
      const keyFile = `${o.outputKeyPrefix}.key`;
      const pubFile = `${o.outputKeyPrefix}.pub`;
      const { privateKey } = generateKeyPair();
      const key = encryptPrivateKey(privateKey, password);
      // 'wx': never replace a key someone has (cosign asks; distill refuses).
      const write = (file: string, text: string, mode: number) =>
        writeFile(file, text, { flag: 'wx', mode }).catch((e: NodeJS.ErrnoException) => {
          throw new SignError(
            e.code === 'EEXIST' ? 'SIGN_KEY_EXISTS' : 'SIGN_KEY_WRITE_FAILED',
            e.code === 'EEXIST'
              ? `${file} exists; move it away or choose --output-key-prefix`
              : `cannot write ${file}: ${e.message}`,
            { cause: e },
          );
        });
      await write(keyFile, key, 0o600);
      try {
        await write(pubFile, publicKeyPem(privateKey), 0o644);
      } catch (e) {
        await rm(keyFile, { force: true });
        throw e;
      }
      out.result({ privateKey: keyFile, publicKey: pubFile });
      out.info(`Private key written to ${keyFile}\nPublic key written to ${pubFile}`);
    });
}

/**
 * Connections to Temporal from config: the embedded dev server, a self-hosted cluster, or Temporal
 * Cloud (mTLS client certificate, or an API key — which implies TLS).
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Env } from '../config.js';

type TemporalEnv = Pick<
  Env,
  'TEMPORAL_API_KEY' | 'TEMPORAL_TLS_CERT_PATH' | 'TEMPORAL_TLS_KEY_PATH' | 'TEMPORAL_NAMESPACE'
>;

function connectionOptions(address: string, env: TemporalEnv) {
  const mtls =
    env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
      ? {
          clientCertPair: {
            crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH),
            key: readFileSync(env.TEMPORAL_TLS_KEY_PATH),
          },
        }
      : undefined;
  return {
    address,
    ...(mtls ? { tls: mtls } : env.TEMPORAL_API_KEY ? { tls: true as const } : {}),
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
  };
}

export async function connectClient(
  address: string,
  env: TemporalEnv,
): Promise<{ client: Client; connection: Connection }> {
  const connection = await Connection.connect(connectionOptions(address, env));
  return { connection, client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }) };
}

export function connectWorker(address: string, env: TemporalEnv): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(address, env));
}

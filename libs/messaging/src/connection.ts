// NATS connections that survive server restarts: connect() keeps trying until the server answers, and the
// client reconnects forever afterwards. `isConnected` feeds readiness and lets publishers fail fast.
import { connect, Events, NatsConnection } from 'nats';

export interface NatsLink {
  readonly connection: NatsConnection;
  isConnected(): boolean;
  close(): Promise<void>;
}

export async function connectNats(servers: string, name: string): Promise<NatsLink> {
  const connection = await connect({
    servers: servers.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    // No stack captured for every request and JetStream publish (a third of a publish's client CPU); a timeout
    // still says which subject timed out, only not which await was waiting for it.
    noAsyncTraces: true,
  });
  let connected = true;
  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) connected = false;
      if (status.type === Events.Reconnect) connected = true;
    }
  })();
  return {
    connection,
    isConnected: () => connected && !connection.isClosed(),
    close: async () => {
      connected = false;
      if (!connection.isClosed()) await connection.drain().catch(() => connection.close());
    },
  };
}

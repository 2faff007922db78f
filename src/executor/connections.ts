// One connection per host for the whole run (a kubectl session carries every command of the
// host), created on first use and closed when the run ends.
import { UnreachableError, type Connection } from '../connection/connection.js'
import type { ConnectionFactory } from './runtime.js'

export class ConnectionPool {
  private readonly connections = new Map<string, Promise<Connection>>()

  constructor(private readonly create: ConnectionFactory) {}

  get(host: string, hostVars: Record<string, unknown>): Promise<Connection> {
    let connection = this.connections.get(host)
    if (!connection) {
      connection = (async () => {
        try {
          return this.create(hostVars)
        } catch (error) {
          // A host we cannot build a connection for (unknown ansible_connection, missing pod
          // name) is unreachable for this run, like a host whose ssh connection is refused.
          throw new UnreachableError(error instanceof Error ? error.message : String(error))
        }
      })()
      this.connections.set(host, connection)
    }
    return connection
  }

  /** Drop a host's connection (meta: reset_connection, or after it became unreachable). */
  async reset(host: string): Promise<void> {
    const connection = this.connections.get(host)
    this.connections.delete(host)
    if (connection) await connection.then(open => open.close()).catch(() => undefined)
  }

  async closeAll(): Promise<void> {
    const all = [...this.connections.values()]
    this.connections.clear()
    await Promise.all(
      all.map(connection => connection.then(open => open.close()).catch(() => undefined))
    )
  }
}

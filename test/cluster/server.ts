// The API server: routes kubectl's requests (discovery, pods, pods/exec) to the cluster state.
// Every failure is answered with a metav1.Status; nothing a client sends can crash it.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { apiGroupList, apiVersions, coreV1Resources, SERVER_VERSION } from './discovery.js'
import { EXEC_PROTOCOLS, runExec } from './exec.js'
import { NODE_NAME, type Pod } from './pods.js'
import type { Sandbox } from './sandbox.js'
import { parseFieldSelector, parseLabelSelector, SelectorError } from './selectors.js'
import {
  badRequest,
  failure,
  methodNotAllowed,
  notFound,
  pathNotFound,
  unauthorized,
  type Status
} from './status.js'
import { podTable } from './table.js'
import type { Faults } from './types.js'

export interface ClusterState {
  token: string
  serverAddress(): string
  faults(): Faults
  pods(): Pod[]
  findPod(namespace: string, name: string): Pod | undefined
  /** Counts exec requests that reached a container (whether the command existed or not). */
  countExec(): void
}

const SPDY_UNSUPPORTED =
  'this test cluster serves exec over WebSocket (v5.channel.k8s.io) only, not SPDY; with kubectl 1.29 set KUBECTL_REMOTE_COMMAND_WEBSOCKETS=true'

const POD_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'status.phase',
  'spec.nodeName',
  'spec.restartPolicy'
]

function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text)
  })
  response.end(text)
}

const sendStatus = (response: ServerResponse, status: Status): void =>
  sendJson(response, status.code ?? 500, status)

function authorized(request: IncomingMessage, token: string): boolean {
  return request.headers.authorization === `Bearer ${token}`
}

function wantsTable(request: IncomingMessage): boolean {
  return /as=Table/.test(request.headers.accept ?? '')
}

const delay = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))

export class ApiHandler {
  private readonly websockets = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: offered => EXEC_PROTOCOLS.find(protocol => offered.has(protocol)) ?? false
  })

  constructor(private readonly state: ClusterState) {}

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await delay(this.state.faults().latencyMs ?? 0)
      if (!authorized(request, this.state.token)) return sendStatus(response, unauthorized())
      this.route(request, response)
    } catch (error) {
      const message =
        error instanceof SelectorError ? error.message : `unexpected error: ${String(error)}`
      if (!response.headersSent)
        sendStatus(
          response,
          error instanceof SelectorError
            ? badRequest(message)
            : failure(500, 'InternalError', message)
        )
    }
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://cluster')
    const segments = url.pathname.split('/').filter(Boolean)
    const path = url.pathname.replace(/\/+$/, '') || '/'
    if (segments.length === 7 && segments[6] === 'exec') {
      const target = this.execTarget(url)
      return sendStatus(
        response,
        'status' in target ? target.status : badRequest('Upgrade request required')
      )
    }
    if (request.method !== 'GET')
      return sendStatus(response, methodNotAllowed(request.method ?? ''))
    if (path === '/version') return sendJson(response, 200, SERVER_VERSION)
    if (path === '/api') return sendJson(response, 200, apiVersions(this.state.serverAddress()))
    if (path === '/apis') return sendJson(response, 200, apiGroupList)
    if (path === '/api/v1') return sendJson(response, 200, coreV1Resources)
    if (path === '/api/v1/namespaces') return sendJson(response, 200, this.namespaceList())
    if (segments.length === 4 && segments[2] === 'namespaces')
      return this.namespace(response, segments[3])
    if (path === '/api/v1/pods') return this.listPods(request, response, url, undefined)
    if (segments.length === 5 && segments[2] === 'namespaces' && segments[4] === 'pods')
      return this.listPods(request, response, url, segments[3])
    if (segments.length === 6 && segments[2] === 'namespaces' && segments[4] === 'pods')
      return this.getPod(request, response, url, segments[3], segments[5])
    sendStatus(response, pathNotFound())
  }

  private namespaceNames(): string[] {
    return [...new Set(['default', ...this.state.pods().map(pod => pod.namespace)])].sort()
  }

  private namespaceObject(name: string): object {
    return { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } }
  }

  private namespaceList(): object {
    return {
      apiVersion: 'v1',
      kind: 'NamespaceList',
      metadata: { resourceVersion: '1' },
      items: this.namespaceNames().map(name => this.namespaceObject(name))
    }
  }

  private namespace(response: ServerResponse, name: string): void {
    if (!this.namespaceNames().includes(name))
      return sendStatus(response, notFound('namespaces', name))
    sendJson(response, 200, this.namespaceObject(name))
  }

  private listPods(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    namespace: string | undefined
  ): void {
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1')
      return sendStatus(response, methodNotAllowed('watch'))
    const labelMatch = parseLabelSelector(url.searchParams.get('labelSelector') ?? '')
    const fieldMatch = parseFieldSelector(url.searchParams.get('fieldSelector') ?? '', POD_FIELDS)
    const pods = this.state
      .pods()
      .filter(pod => namespace === undefined || pod.namespace === namespace)
      .filter(pod => labelMatch(pod.spec.labels ?? {}))
      .filter(pod =>
        fieldMatch({
          'metadata.name': pod.name,
          'metadata.namespace': pod.namespace,
          'status.phase': pod.phase,
          'spec.nodeName': NODE_NAME,
          'spec.restartPolicy': 'Always'
        })
      )
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    if (wantsTable(request))
      return sendJson(
        response,
        200,
        podTable(pods, url.searchParams.get('includeObject') ?? 'Metadata')
      )
    sendJson(response, 200, {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: { resourceVersion: '1' },
      items: pods.map(pod => pod.toJSON())
    })
  }

  private getPod(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    namespace: string,
    name: string
  ): void {
    const pod = this.state.findPod(namespace, name)
    if (!pod) return sendStatus(response, notFound('pods', name))
    if (wantsTable(request))
      return sendJson(
        response,
        200,
        podTable([pod], url.searchParams.get('includeObject') ?? 'Metadata')
      )
    sendJson(response, 200, pod.toJSON())
  }

  /** The `upgrade` event: WebSocket exec, or a Status answer written on the raw socket. */
  async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy())
    try {
      await delay(this.state.faults().latencyMs ?? 0)
      if (!authorized(request, this.state.token)) return rejectUpgrade(socket, unauthorized())
      const url = new URL(request.url ?? '/', 'http://cluster')
      const target = this.execTarget(url)
      if ('status' in target) return rejectUpgrade(socket, target.status)
      if ((request.headers.upgrade ?? '').toLowerCase() !== 'websocket')
        return rejectUpgrade(socket, badRequest(SPDY_UNSUPPORTED))
      const flag = (key: string): boolean => ['true', '1'].includes(url.searchParams.get(key) ?? '')
      const exec = {
        argv: target.argv,
        stdin: flag('stdin'),
        stdout: flag('stdout'),
        stderr: flag('stderr'),
        tty: flag('tty')
      }
      this.state.countExec()
      this.websockets.handleUpgrade(request, socket, head, ws => {
        if (!ws.protocol)
          return ws.close(
            1002,
            'no supported channel protocol; offer v5.channel.k8s.io or v4.channel.k8s.io'
          )
        runExec(ws, target.sandbox, exec, () => this.state.faults())
      })
    } catch (error) {
      rejectUpgrade(socket, failure(500, 'InternalError', `unexpected error: ${String(error)}`))
    }
  }

  /** Checks an exec URL the way the API server and kubelet do, in the same order. */
  private execTarget(url: URL): { sandbox: Sandbox; argv: string[] } | { status: Status } {
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname)
    if (!match) return { status: pathNotFound() }
    const [namespace, name] = [decodeURIComponent(match[1]), decodeURIComponent(match[2])]
    const pod = this.state.findPod(namespace, name)
    if (!pod) return { status: notFound('pods', name) }
    const names = pod.containers.map(container => container.spec.name)
    const containerName =
      url.searchParams.get('container') ?? (names.length === 1 ? names[0] : undefined)
    if (containerName === undefined)
      return {
        status: badRequest(
          `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`
        )
      }
    const container = pod.container(containerName)
    if (!container)
      return { status: badRequest(`container ${containerName} is not valid for pod ${name}`) }
    if (!container.sandbox?.running)
      return {
        status: badRequest(`unable to upgrade connection: container not found ("${containerName}")`)
      }
    const argv = url.searchParams.getAll('command')
    if (argv.length === 0) return { status: badRequest('you must specify at least 1 command') }
    return { sandbox: container.sandbox, argv }
  }

  /** Drops every exec connection (the WebSocket server itself stays usable for a restart). */
  dropConnections(): void {
    for (const client of this.websockets.clients) client.terminate()
  }
}

function rejectUpgrade(socket: Duplex, status: Status): void {
  const text = JSON.stringify(status)
  const reason =
    status.code === 401
      ? 'Unauthorized'
      : status.code === 404
        ? 'Not Found'
        : status.code === 400
          ? 'Bad Request'
          : 'Error'
  socket.end(
    `HTTP/1.1 ${status.code ?? 500} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`
  )
}

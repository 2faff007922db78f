// Server-side printing: `kubectl get pods` asks for a meta.k8s.io Table and prints its cells,
// so the columns here are what users see (priority 1 columns only with `-o wide`).
import { NODE_NAME, type Pod } from './pods.js'

const POD_COLUMNS = [
  { name: 'Name', type: 'string', format: 'name', priority: 0 },
  { name: 'Ready', type: 'string', format: '', priority: 0 },
  { name: 'Status', type: 'string', format: '', priority: 0 },
  { name: 'Restarts', type: 'string', format: '', priority: 0 },
  { name: 'Age', type: 'string', format: '', priority: 0 },
  { name: 'IP', type: 'string', format: '', priority: 1 },
  { name: 'Node', type: 'string', format: '', priority: 1 },
  { name: 'Nominated Node', type: 'string', format: '', priority: 1 },
  { name: 'Readiness Gates', type: 'string', format: '', priority: 1 }
].map(column => ({ ...column, description: column.name }))

function age(since: Date): string {
  const seconds = Math.max(0, Math.floor((Date.now() - since.getTime()) / 1000))
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 120) return `${minutes}m`
  return `${Math.floor(minutes / 60)}h`
}

export function podTable(pods: Pod[], includeObject: string): object {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1' },
    columnDefinitions: POD_COLUMNS,
    rows: pods.map(pod => {
      const running = pod.phase === 'Running'
      const object = pod.toJSON() as { metadata: object }
      return {
        cells: [
          pod.name,
          `${running ? pod.containers.length : 0}/${pod.containers.length}`,
          pod.phase,
          '0',
          age(pod.created),
          running ? pod.ip : '<none>',
          NODE_NAME,
          '<none>',
          '<none>'
        ],
        object:
          includeObject === 'Object'
            ? object
            : includeObject === 'None'
              ? undefined
              : {
                  kind: 'PartialObjectMetadata',
                  apiVersion: 'meta.k8s.io/v1',
                  metadata: object.metadata
                }
      }
    })
  }
}

import { APP, CONFIG_MAP, IMAGE, labels, SECRET, SERVICE_ACCOUNT } from './resources.ts';
import type { YamlValue } from './yaml.ts';

export const VIEWER_PORT = 8089;

/**
 * `flywheel ui` in the cluster: one replica reading the ClickHouse server (CLICKHOUSE_URL of the ConfigMap)
 * read-only, and a ClusterIP Service in front of it (reach it with `kubectl port-forward svc/flywheel-viewer
 * 8089`). Its port is named `web`, not `http`, so the PodMonitor does not scrape it: it serves no /metrics.
 */
export function viewerResources(): YamlValue[] {
  const name = 'viewer';
  const probe = (periodSeconds: number, failureThreshold: number) => ({ httpGet: { path: '/healthz', port: 'web' }, periodSeconds, timeoutSeconds: 2, failureThreshold });
  const selector = { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `${APP}-${name}`, labels: labels(name), annotations: { 'flywheel/description': 'Data viewer: rounds, record tables, trajectories, HAS decisions, lineage, DLQ (read-only).' } },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 3,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels: labels(name) },
          spec: {
            serviceAccountName: SERVICE_ACCOUNT,
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name,
                image: IMAGE,
                imagePullPolicy: 'IfNotPresent',
                args: ['ui', '--host', '0.0.0.0', '--port', String(VIEWER_PORT)],
                ports: [{ name: 'web', containerPort: VIEWER_PORT, protocol: 'TCP' }],
                envFrom: [{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SECRET, optional: true } }],
                env: [{ name: 'VIEWER_READ_ONLY', value: 'true' }],
                resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                startupProbe: probe(2, 30),
                livenessProbe: probe(10, 3),
                readinessProbe: probe(5, 2),
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${APP}-${name}`, labels: labels(name) },
      spec: { type: 'ClusterIP', selector, ports: [{ name: 'web', port: VIEWER_PORT, targetPort: 'web', protocol: 'TCP' }] },
    },
  ];
}

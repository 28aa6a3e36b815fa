import type { TopicSpec } from '../../services/platform/catalogue.ts';
import type { AnyStage } from '../../services/platform/runtime/stage.ts';
import type { YamlValue } from './yaml.ts';

/** One Deployment: a stage (`flywheel run <stage>`) or another long-running service (the analytics sink). */
export interface Workload {
  name: string;
  description: string;
  args: string[];
  /** Topics its consumer group `fw.<name>` reads. */
  inputs: readonly string[];
  /** per-topic: one KEDA trigger per input; group: one trigger over every topic the group reads. */
  lagScope: 'per-topic' | 'group';
}

export function stageWorkload(stage: AnyStage): Workload {
  return { name: stage.name, description: stage.description, args: ['run', stage.name], inputs: stage.inputs, lagScope: 'per-topic' };
}

/** The analytics sink (services/analytics): every catalogue topic into ClickHouse, consumer group fw.analytics. */
export function analyticsWorkload(topics: TopicSpec[]): Workload {
  return {
    name: 'analytics',
    description: 'Analytics sink: every topic into ClickHouse (ReplacingMergeTree by record id), views for the funnel, cost and lineage.',
    args: ['analytics', 'run'],
    inputs: topics.map((t) => t.name),
    lagScope: 'group',
  };
}

/** Names shared by every generated resource; overlays change them with kustomize, never by hand. */
export const APP = 'flywheel';
export const IMAGE = 'flywheel';
export const CONFIG_MAP = 'flywheel-config';
export const SECRET = 'flywheel-secrets';
export const SERVICE_ACCOUNT = 'flywheel';
export const KAFKA_CLUSTER = 'flywheel';
export const BOOTSTRAP = `${KAFKA_CLUSTER}-kafka-bootstrap:9092`;
export const HTTP_PORT = 9464;
/** Variables that hold credentials: they live in the Secret, never in the ConfigMap. */
export const SECRET_KEYS = ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'OPENAI_API_KEY'] as const;

/**
 * The runtime's stop() waits for the batch in flight, whose Kafka transaction may take up to the producer's
 * transactionTimeout (60 s, services/platform/runtime/transaction.ts); the pod gets that plus a margin
 * before the kubelet sends SIGKILL.
 */
export const TERMINATION_GRACE_SECONDS = 75;

export interface StageProfile {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  /** Average lag per replica KEDA aims for: low for slow, model-bound stages. */
  lagThreshold: number;
}

const DEFAULT_PROFILE: StageProfile = {
  requests: { cpu: '250m', memory: '384Mi' },
  limits: { cpu: '1', memory: '1Gi' },
  lagThreshold: 500,
};

/** Stages that need more than the default; anything not named here gets DEFAULT_PROFILE. */
const PROFILES: Record<string, Partial<StageProfile>> = {
  rollout: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '3Gi' }, lagThreshold: 20 },
  has: { lagThreshold: 50 },
  fas: { lagThreshold: 100 },
  memory: { requests: { cpu: '500m', memory: '768Mi' }, limits: { cpu: '2', memory: '2Gi' }, lagThreshold: 200 },
  // entity state per partition lives in memory while the stage runs
  'memory-entities': { requests: { cpu: '250m', memory: '768Mi' }, limits: { cpu: '1', memory: '2Gi' }, lagThreshold: 1000 },
  // HTML cleaning and MinHash are CPU-bound
  ingest: { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '1536Mi' }, lagThreshold: 200 },
  analytics: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' }, lagThreshold: 2000 },
};

export function profileOf(stage: string): StageProfile {
  return { ...DEFAULT_PROFILE, ...PROFILES[stage] };
}

/** Kubernetes object names: DNS-1123 labels (lowercase alphanumerics and '-'). */
export function k8sName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}

export function labels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': component, 'app.kubernetes.io/part-of': APP };
}

export function configMap(): YamlValue {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIG_MAP, labels: labels('config') },
    data: {
      KAFKA_BROKERS: BOOTSTRAP,
      KAFKA_CLIENT_ID: APP,
      KAFKA_SSL: 'false',
      TOPIC_PREFIX: '',
      FLYWHEEL_ROUND: '1',
      LOG_LEVEL: 'info',
      HTTP_PORT: String(HTTP_PORT),
      CLICKHOUSE_URL: 'http://clickhouse:8123',
      CLICKHOUSE_DATABASE: 'flywheel',
      STAGE_CONCURRENCY: '8',
      STAGE_MAX_BATCH: '500',
      STAGE_PARTITIONS_CONCURRENTLY: '2',
    },
  };
}

export function serviceAccount(): YamlValue {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: SERVICE_ACCOUNT, labels: labels('service-account') },
    // the services never talk to the Kubernetes API
    automountServiceAccountToken: false,
  };
}

export function deployment(stage: Workload): YamlValue {
  const name = k8sName(stage.name);
  const profile = profileOf(stage.name);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: labels(name), annotations: { 'flywheel/description': stage.description } },
    spec: {
      // no replicas: KEDA owns the replica count (a re-apply must not reset it)
      revisionHistoryLimit: 3,
      selector: { matchLabels: { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: labels(name),
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(HTTP_PORT), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          serviceAccountName: SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'stage',
              image: IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: stage.args,
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              envFrom: [{ configMapRef: { name: CONFIG_MAP } }, { secretRef: { name: SECRET, optional: true } }],
              env: [{ name: 'INSTANCE_ID', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: { requests: profile.requests, limits: profile.limits },
              // setup (indexes, models) may take a while: liveness starts counting once /healthz first answers
              startupProbe: probe('/healthz', 2, 90),
              livenessProbe: probe('/healthz', 10, 3),
              readinessProbe: probe('/readyz', 5, 2),
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                { name: 'home', mountPath: '/var/lib/flywheel' },
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } },
            { name: 'home', emptyDir: { sizeLimit: '2Gi' } },
          ],
        },
      },
    },
  };
}

/** Replicas beyond the partition count of the widest input topic would sit idle in the consumer group. */
export function maxReplicasOf(stage: Workload, topics: Map<string, TopicSpec>): number {
  return Math.max(...stage.inputs.map((t: string) => topics.get(t)!.partitions));
}

export function triggerCount(stage: Workload): number {
  return stage.lagScope === 'group' ? 1 : stage.inputs.length;
}

export function scaledObject(stage: Workload, topics: Map<string, TopicSpec>): YamlValue {
  const name = k8sName(stage.name);
  const profile = profileOf(stage.name);
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, labels: labels(name) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      pollingInterval: 15,
      cooldownPeriod: 300,
      minReplicaCount: 1,
      maxReplicaCount: maxReplicasOf(stage, topics),
      advanced: {
        horizontalPodAutoscalerConfig: {
          // every scale step is a consumer-group rebalance: scale down slowly
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
        },
      },
      // without a topic, KEDA sums the lag of every topic the group has offsets on
      triggers: (stage.lagScope === 'group' ? [undefined] : stage.inputs).map((topic: string | undefined) => ({
        type: 'kafka',
        name: topic ? `lag-${k8sName(topic)}` : 'lag-all-topics',
        metadata: {
          bootstrapServers: BOOTSTRAP,
          consumerGroup: `fw.${stage.name}`,
          topic,
          lagThreshold: String(profile.lagThreshold),
          activationLagThreshold: '0',
          offsetResetPolicy: 'earliest',
          allowIdleConsumers: 'false',
        },
      })),
    },
  };
}

export function kafkaTopic(topic: TopicSpec): YamlValue {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: { name: k8sName(topic.name.replaceAll('.', '-')), labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, ...labels('topics') } },
    spec: {
      topicName: topic.name,
      partitions: topic.partitions,
      replicas: topic.replicationFactor,
      config: {
        'cleanup.policy': topic.cleanupPolicy,
        'retention.ms': topic.retentionMs,
        // one transaction per partition batch commits or aborts; readers must not see aborted writes
        'min.insync.replicas': Math.max(1, topic.replicationFactor - 1),
      },
    },
  };
}

export function podMonitor(): YamlValue {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: APP, labels: labels('monitoring') },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/part-of': APP } },
      podMetricsEndpoints: [{ port: 'http', path: '/metrics', interval: '15s' }],
    },
  };
}

export function textConfigMap(name: string, component: string, files: Record<string, string>, extraLabels: Record<string, string> = {}): YamlValue {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { ...labels(component), ...extraLabels } }, data: files };
}

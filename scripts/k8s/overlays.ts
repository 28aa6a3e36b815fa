import { APP, BOOTSTRAP, CONFIG_MAP, IMAGE, k8sName, KAFKA_CLUSTER, labels, SECRET, triggerCount, type Workload } from './resources.ts';
import { toYaml, type YamlValue } from './yaml.ts';

/** kustomize overlays: dev (scale to zero, small pods, debug logs) and prod (TLS + SCRAM, replicated topics, PDBs). */

const KUSTOMIZATION = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };

interface Patch {
  target: Record<string, string>;
  ops: Array<{ op: 'add' | 'replace' | 'remove'; path: string; value?: YamlValue }>;
}

function patches(list: Patch[]): YamlValue {
  // JSON 6902 patches written inline as YAML text, the form kustomize documents for `patches`
  return list.map((p) => ({ target: p.target, patch: toYaml([p.ops as YamlValue]) }));
}

export function devOverlay(): YamlValue {
  return {
    ...KUSTOMIZATION,
    namespace: 'flywheel-dev',
    resources: ['../../base'],
    labels: [{ pairs: { 'flywheel/environment': 'dev' } }],
    images: [{ name: IMAGE, newName: IMAGE, newTag: 'dev' }],
    patches: patches([
      { target: { kind: 'ScaledObject' }, ops: [{ op: 'replace', path: '/spec/minReplicaCount', value: 0 }] },
      {
        target: { kind: 'Deployment' },
        ops: [
          { op: 'replace', path: '/spec/template/spec/containers/0/resources/requests', value: { cpu: '50m', memory: '256Mi' } },
          { op: 'replace', path: '/spec/template/spec/containers/0/imagePullPolicy', value: 'Never' },
        ],
      },
      { target: { kind: 'ConfigMap', name: CONFIG_MAP }, ops: [{ op: 'replace', path: '/data/LOG_LEVEL', value: 'debug' }] },
    ]),
  };
}

const TLS_BOOTSTRAP = BOOTSTRAP.replace(/:9092$/, ':9093');
const CA_SECRET = `${KAFKA_CLUSTER}-cluster-ca-cert`;
const CA_DIR = '/etc/flywheel/kafka-ca';
export const PROD_TRIGGER_AUTH = 'flywheel-kafka';

export function prodOverlay(stages: Workload[]): YamlValue {
  const perStage: Patch[] = stages.map((stage) => ({
    target: { kind: 'ScaledObject', name: k8sName(stage.name) },
    ops: Array.from({ length: triggerCount(stage) }, (_, i) => i).flatMap((i) => [
      { op: 'replace' as const, path: `/spec/triggers/${i}/metadata/bootstrapServers`, value: TLS_BOOTSTRAP },
      { op: 'add' as const, path: `/spec/triggers/${i}/metadata/sasl`, value: 'scram_sha512' },
      { op: 'add' as const, path: `/spec/triggers/${i}/metadata/tls`, value: 'enable' },
      { op: 'add' as const, path: `/spec/triggers/${i}/authenticationRef`, value: { name: PROD_TRIGGER_AUTH } },
    ]),
  }));
  return {
    ...KUSTOMIZATION,
    namespace: 'flywheel',
    resources: ['../../base', 'keda-auth.yaml', 'pdb.yaml'],
    labels: [{ pairs: { 'flywheel/environment': 'prod' } }],
    // point newName at the registry the image is pushed to
    images: [{ name: IMAGE, newName: IMAGE, newTag: '0.1.0' }],
    patches: patches([
      {
        target: { kind: 'ConfigMap', name: CONFIG_MAP },
        ops: [
          { op: 'replace', path: '/data/KAFKA_BROKERS', value: TLS_BOOTSTRAP },
          { op: 'replace', path: '/data/KAFKA_SSL', value: 'true' },
          { op: 'add', path: '/data/KAFKA_SSL_CA_FILE', value: `${CA_DIR}/ca.crt` },
          { op: 'add', path: '/data/KAFKA_SASL_MECHANISM', value: 'scram-sha-512' },
        ],
      },
      {
        target: { kind: 'Deployment' },
        ops: [
          { op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'kafka-ca', secret: { secretName: CA_SECRET, items: [{ key: 'ca.crt', path: 'ca.crt' }] } } },
          { op: 'add', path: '/spec/template/spec/containers/0/volumeMounts/-', value: { name: 'kafka-ca', mountPath: CA_DIR, readOnly: true } },
          // in prod the Secret must exist: a pod without credentials should not start and fail later
          { op: 'replace', path: '/spec/template/spec/containers/0/envFrom/1/secretRef/optional', value: false },
        ],
      },
      { target: { kind: 'KafkaTopic' }, ops: [{ op: 'replace', path: '/spec/replicas', value: 3 }, { op: 'replace', path: '/spec/config/min.insync.replicas', value: 2 }] },
      ...perStage,
    ]),
  };
}

export function prodTriggerAuthentication(): YamlValue {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'TriggerAuthentication',
    metadata: { name: PROD_TRIGGER_AUTH, labels: labels('autoscaling') },
    spec: {
      secretTargetRef: [
        { parameter: 'username', name: SECRET, key: 'KAFKA_SASL_USERNAME' },
        { parameter: 'password', name: SECRET, key: 'KAFKA_SASL_PASSWORD' },
        { parameter: 'ca', name: CA_SECRET, key: 'ca.crt' },
      ],
    },
  };
}

export function prodDisruptionBudgets(stages: Workload[]): YamlValue[] {
  return stages.map((stage) => {
    const name = k8sName(stage.name);
    return {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name, labels: labels(name) },
      spec: { maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': APP, 'app.kubernetes.io/component': name } } },
    };
  });
}

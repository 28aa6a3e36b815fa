import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { topicCatalogue } from '../services/platform/catalogue.ts';
import { defineStage } from '../services/platform/runtime/stage.ts';
import { stages } from '../services/stages.ts';
import { currentInput, generate, k8sDir, outOfDate, write } from './gen-k8s.ts';
import { findDeployTools, kustomizeBuild, parseYaml, validateManifests } from './k8s/tools.ts';
import { SECRET_KEYS, TERMINATION_GRACE_SECONDS } from './k8s/resources.ts';

const tools = findDeployTools();
const canValidate = Boolean(tools.kustomize && tools.validatorEnv);
if (!canValidate) console.warn(`SKIPPED manifest validation: missing ${tools.missing.join(', ')}`);

const overlays = ['base', 'overlays/dev', 'overlays/prod'];
const built = new Map<string, string>();
function build(overlay: string): string {
  if (!built.has(overlay)) built.set(overlay, kustomizeBuild(tools.kustomize!, path.join(k8sDir, overlay)));
  return built.get(overlay)!;
}
const rendered = new Map<string, Array<Record<string, any>>>();
function render(overlay: string): Array<Record<string, any>> {
  if (!rendered.has(overlay)) rendered.set(overlay, parseYaml(tools.validatorEnv!, build(overlay)));
  return rendered.get(overlay)!;
}

describe('gen-k8s', () => {
  it('the committed deploy/k8s matches the stage list and topic catalogue', () => {
    expect(outOfDate(generate(currentInput()))).toEqual([]);
  });

  it('notices a hand edit, a missing file and a stale file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-k8s-'));
    try {
      const files = generate(currentInput());
      write(files, dir);
      expect(outOfDate(files, dir)).toEqual([]);
      fs.appendFileSync(path.join(dir, 'base/config.yaml'), '# edited\n');
      fs.rmSync(path.join(dir, 'base/topics.yaml'));
      fs.writeFileSync(path.join(dir, 'base/stages/gone.yaml'), 'kind: Deployment\n');
      expect(outOfDate(files, dir).sort()).toEqual(['changed: base/config.yaml', 'missing: base/topics.yaml', 'stale: base/stages/gone.yaml']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders one Deployment and ScaledObject per stage, scaling on each input topic up to its partitions', () => {
    const twoInputs = defineStage({
      name: 'two-inputs', version: '0', description: 'test', inputs: ['fw.docs', 'fw.rounds'], outputs: ['fw.cpt.samples'], process: () => [],
    });
    const files = generate({ ...currentInput(), stages: [...stages, twoInputs] });
    const text = files.get('base/stages/two-inputs.yaml')!;
    expect(text).toContain('kind: Deployment');
    expect(text).toContain('consumerGroup: fw.two-inputs');
    expect(text).toMatch(/topic: fw\.docs[\s\S]*topic: fw\.rounds/);
    expect(text).toContain('maxReplicaCount: 4'); // fw.docs has 4 partitions, fw.rounds 1
    expect(files.get('base/kustomization.yaml')).toContain('stages/two-inputs.yaml');
    expect(files.get('overlays/prod/kustomization.yaml')).toContain('/spec/triggers/1/authenticationRef');
    expect(() => generate({ ...currentInput(), stages: [{ ...twoInputs, inputs: ['fw.nope'] } as never] })).toThrow(/fw.nope is not in the catalogue/);
  });
});

describe.skipIf(!canValidate)('deploy/k8s manifests (kustomize build + strict schema validation)', () => {
  it.each(overlays)('%s: every document is valid against the Kubernetes and CRD schemas', (overlay) => {
    const results = validateManifests(tools.validatorEnv!, build(overlay));
    expect(results.length).toBeGreaterThan(stages.length * 2);
    expect(results.filter((r) => r.error)).toEqual([]);
  });

  it('has what operators rely on: probes, SIGTERM grace, lag scaling, topics, secrets kept out of the ConfigMap', () => {
    const docs = render('base');
    const of = (kind: string) => docs.filter((d) => d.kind === kind);
    const partitions = new Map(topicCatalogue().all().map((t) => [t.name, t.partitions]));
    for (const stage of stages) {
      const deployment = of('Deployment').find((d) => d.spec.template.spec.containers[0].args.join(' ') === `run ${stage.name}`);
      expect(deployment, stage.name).toBeDefined();
      const pod = deployment!.spec.template.spec;
      const container = pod.containers[0];
      expect(container.livenessProbe.httpGet.path).toBe('/healthz');
      expect(container.readinessProbe.httpGet.path).toBe('/readyz');
      expect(container.ports[0].containerPort).toBe(9464);
      expect(pod.terminationGracePeriodSeconds).toBe(TERMINATION_GRACE_SECONDS);
      expect(container.resources.requests.cpu).toBeTruthy();
      expect(container.resources.limits.memory).toBeTruthy();
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const scaled = of('ScaledObject').find((s) => s.spec.scaleTargetRef.name === deployment!.metadata.name)!;
      expect(scaled.spec.triggers.map((t: any) => t.metadata.topic).sort()).toEqual([...stage.inputs].sort());
      for (const trigger of scaled.spec.triggers) {
        expect(trigger.type).toBe('kafka');
        expect(trigger.metadata.consumerGroup).toBe(`fw.${stage.name}`);
      }
      expect(scaled.spec.maxReplicaCount).toBeLessThanOrEqual(Math.max(...stage.inputs.map((t: string) => partitions.get(t)!)));
    }
    const analytics = of('Deployment').find((d) => d.spec.template.spec.containers[0].args.join(' ') === 'analytics run');
    expect(analytics, 'the analytics sink has a Deployment').toBeDefined();
    const analyticsScaling = of('ScaledObject').find((s) => s.spec.scaleTargetRef.name === analytics!.metadata.name)!;
    expect(analyticsScaling.spec.triggers).toHaveLength(1);
    expect(analyticsScaling.spec.triggers[0].metadata.consumerGroup).toBe('fw.analytics');
    expect(analyticsScaling.spec.triggers[0].metadata.topic).toBeUndefined();
    expect(analyticsScaling.spec.maxReplicaCount).toBeLessThanOrEqual(Math.max(...partitions.values()));
    const topics = of('KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual([...partitions.keys()].sort());
    for (const t of topics) expect(t.spec.partitions).toBe(partitions.get(t.spec.topicName));
    const config = of('ConfigMap').find((c) => c.metadata.name === 'flywheel-config')!;
    for (const key of Object.keys(config.data)) expect(key).not.toMatch(/PASSWORD|SECRET|TOKEN|API_KEY|USERNAME/);
    for (const key of SECRET_KEYS) expect(config.data[key]).toBeUndefined();
    const board = JSON.parse(of('ConfigMap').find((c) => c.metadata.name === 'flywheel-grafana-dashboard')!.data['flywheel-dashboard.json']);
    const exprs = board.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr)).join('\n');
    for (const metric of ['flywheel_records_in_total', 'flywheel_records_out_total', 'flywheel_records_dead_lettered_total', 'flywheel_consumer_lag', 'flywheel_process_seconds_bucket', 'flywheel_drops_total']) {
      expect(exprs).toContain(metric);
    }
  });

  it('prod talks TLS + SCRAM to Kafka, in the Deployments and in KEDA alike', () => {
    const docs = render('overlays/prod');
    const config = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'flywheel-config')!;
    expect(config.data).toMatchObject({ KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512' });
    expect(config.metadata.namespace).toBe('flywheel');
    for (const scaled of docs.filter((d) => d.kind === 'ScaledObject')) {
      for (const trigger of scaled.spec.triggers) {
        expect(trigger.authenticationRef.name).toBe('flywheel-kafka');
        expect(trigger.metadata).toMatchObject({ sasl: 'scram_sha512', tls: 'enable' });
      }
    }
    expect(docs.filter((d) => d.kind === 'PodDisruptionBudget')).toHaveLength(stages.length + 1);
  });

  it('rejects broken manifests (the validator can fail)', () => {
    const broken = [
      // unknown field in a Deployment's pod spec
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containerz: []\n`,
      // replicas of the wrong type
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n  replicas: two\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec: {containers: [{name: c, image: i}]}\n`,
      // kafka trigger without a lag threshold
      `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n  triggers: [{type: kafka, metadata: {bootstrapServers: b, consumerGroup: g}}]\n`,
      // ScaledObject without its target
      `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  triggers: [{type: kafka, metadata: {bootstrapServers: b, consumerGroup: g, topic: t, lagThreshold: "5"}}]\n`,
      // kafka trigger without a consumer group, and a number where KEDA wants a string
      `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: x}\nspec:\n  scaleTargetRef: {name: x}\n  triggers: [{type: kafka, metadata: {bootstrapServers: b, topic: t, lagThreshold: 5}}]\n`,
      // KafkaTopic with zero partitions
      `apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata: {name: x, labels: {strimzi.io/cluster: c}}\nspec: {partitions: 0, replicas: 1}\n`,
      // a kind nobody has a schema for
      `apiVersion: example.com/v1\nkind: Gizmo\nmetadata: {name: x}\nspec: {}\n`,
    ];
    // one validator process for all of them (it reports one line per document, in order)
    const results = validateManifests(tools.validatorEnv!, broken.join('---\n'));
    expect(results).toHaveLength(broken.length);
    results.forEach((result, i) => expect(result.error, broken[i]).toBeTruthy());
  });
});

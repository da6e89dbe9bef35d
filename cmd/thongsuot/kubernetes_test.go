package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/thongsuot/thongsuot/harness/load"
	"github.com/thongsuot/thongsuot/scenarios"
)

// manifests are deploy/kubernetes/*.yaml, each document decoded strictly into its
// kind's k8s.io/api type: a misspelt or misplaced field is an error here, not a field
// the API server drops.
type manifests struct {
	namespaces  []corev1.Namespace
	configMaps  map[string]corev1.ConfigMap
	secrets     map[string]corev1.Secret
	claims      map[string]corev1.PersistentVolumeClaim
	services    []corev1.Service
	deployments []appsv1.Deployment
	jobs        map[string]batchv1.Job
}

func readManifests(t *testing.T) manifests {
	t.Helper()
	m := manifests{configMaps: map[string]corev1.ConfigMap{}, secrets: map[string]corev1.Secret{},
		claims: map[string]corev1.PersistentVolumeClaim{}, jobs: map[string]batchv1.Job{}}
	files, err := filepath.Glob("../../deploy/kubernetes/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for doc := 1; ; doc++ {
			var v any
			err := dec.Decode(&v)
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err, "%s document %d", file, doc)
			js, err := json.Marshal(v)
			require.NoError(t, err, "%s document %d", file, doc)
			var head struct{ APIVersion, Kind string }
			require.NoError(t, json.Unmarshal(js, &head))
			where := fmt.Sprintf("%s document %d (%s %s)", file, doc, head.APIVersion, head.Kind)
			switch head.APIVersion + " " + head.Kind {
			case "v1 Namespace":
				m.namespaces = append(m.namespaces, strict[corev1.Namespace](t, js, where))
			case "v1 ConfigMap":
				o := strict[corev1.ConfigMap](t, js, where)
				m.configMaps[o.Name] = o
			case "v1 Secret":
				o := strict[corev1.Secret](t, js, where)
				m.secrets[o.Name] = o
			case "v1 PersistentVolumeClaim":
				o := strict[corev1.PersistentVolumeClaim](t, js, where)
				m.claims[o.Name] = o
			case "v1 Service":
				m.services = append(m.services, strict[corev1.Service](t, js, where))
			case "apps/v1 Deployment":
				m.deployments = append(m.deployments, strict[appsv1.Deployment](t, js, where))
			case "batch/v1 Job":
				o := strict[batchv1.Job](t, js, where)
				m.jobs[o.Name] = o
			default:
				t.Fatalf("%s document %d: unexpected %s %s", file, doc, head.APIVersion, head.Kind)
			}
		}
	}
	return m
}

// strict decodes a document's JSON into T, refusing any field T does not have.
func strict[T any](t *testing.T, js []byte, where string) T {
	t.Helper()
	var out T
	d := json.NewDecoder(bytes.NewReader(js))
	d.DisallowUnknownFields()
	require.NoError(t, d.Decode(&out), where)
	return out
}

// varRef is a $(NAME) the kubelet expands in a container's args from its environment.
var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// The manifests decode strictly; the shard Job is Indexed with the shard from
// JOB_COMPLETION_INDEX and as many pods as SHARDS; every container's args name only
// variables its environment defines and parse as the thongsuot command they call; every
// volume, ConfigMap, Secret and claim they refer to exists; every container asks for
// CPU and memory; the scenario they run parses.
func TestKubernetesManifests(t *testing.T) {
	m := readManifests(t)
	require.Len(t, m.namespaces, 1)
	ns := m.namespaces[0].Name
	run, ok := m.configMaps["thongsuot-run"]
	require.True(t, ok, "the run's ConfigMap")

	shards, ok := m.jobs["thongsuot-shards"]
	require.True(t, ok, "the shard Job")
	require.NotNil(t, shards.Spec.CompletionMode)
	assert.Equal(t, batchv1.IndexedCompletion, *shards.Spec.CompletionMode)
	require.NotNil(t, shards.Spec.Completions)
	require.NotNil(t, shards.Spec.Parallelism)
	assert.Equal(t, run.Data["SHARDS"], strconv.Itoa(int(*shards.Spec.Completions)), "completions = SHARDS")
	assert.Equal(t, *shards.Spec.Completions, *shards.Spec.Parallelism, "every shard at once: they share one start")
	require.NotNil(t, shards.Spec.BackoffLimit)
	assert.Zero(t, *shards.Spec.BackoffLimit, "a retried shard would start after the agreed start")
	shard := shards.Spec.Template.Spec.Containers[0]
	assert.Contains(t, strings.Join(shard.Args, " "), "--shard $(JOB_COMPLETION_INDEX)/$(SHARDS)")
	indexEnv := false
	for _, e := range shard.Env {
		if e.Name == "JOB_COMPLETION_INDEX" && e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			indexEnv = e.ValueFrom.FieldRef.FieldPath == "metadata.annotations['batch.kubernetes.io/job-completion-index']"
		}
	}
	assert.True(t, indexEnv, "JOB_COMPLETION_INDEX from the Job's completion index")
	for _, name := range []string{"thongsuot-faults", "thongsuot-merge"} {
		assert.Contains(t, m.jobs, name)
	}

	type podOf struct {
		name string
		spec corev1.PodSpec
	}
	var pods []podOf
	for name, j := range m.jobs {
		assert.Equal(t, ns, j.Namespace, name)
		assert.Equal(t, corev1.RestartPolicyNever, j.Spec.Template.Spec.RestartPolicy, name)
		pods = append(pods, podOf{name, j.Spec.Template.Spec})
	}
	for _, d := range m.deployments {
		assert.Equal(t, ns, d.Namespace, d.Name)
		for k, v := range d.Spec.Selector.MatchLabels {
			assert.Equal(t, v, d.Spec.Template.Labels[k], "%s: its selector matches its pods", d.Name)
		}
		pods = append(pods, podOf{d.Name, d.Spec.Template.Spec})
	}
	image := ""
	for _, p := range pods {
		volumes := map[string]bool{}
		for _, v := range p.spec.Volumes {
			volumes[v.Name] = true
			if v.ConfigMap != nil {
				assert.Contains(t, m.configMaps, v.ConfigMap.Name, "%s: volume %s", p.name, v.Name)
			}
			if v.PersistentVolumeClaim != nil {
				assert.Contains(t, m.claims, v.PersistentVolumeClaim.ClaimName, "%s: volume %s", p.name, v.Name)
			}
		}
		for _, c := range p.spec.Containers {
			where := p.name + "/" + c.Name
			if image == "" {
				image = c.Image
			}
			assert.Equal(t, image, c.Image, "%s: one image, thongsuot's", where)
			assert.False(t, c.Resources.Requests.Cpu().IsZero(), "%s asks for CPU", where)
			assert.False(t, c.Resources.Requests.Memory().IsZero(), "%s asks for memory", where)
			assert.False(t, c.Resources.Limits.Memory().IsZero(), "%s has a memory limit", where)
			for _, vm := range c.VolumeMounts {
				assert.True(t, volumes[vm.Name], "%s mounts %s, a volume of its pod", where, vm.Name)
			}
			env := map[string]string{}
			for _, e := range c.Env {
				env[e.Name] = e.Value
				if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
					s, ok := m.secrets[e.ValueFrom.SecretKeyRef.Name]
					require.True(t, ok, "%s: secret %s", where, e.ValueFrom.SecretKeyRef.Name)
					assert.Contains(t, s.StringData, e.ValueFrom.SecretKeyRef.Key, where)
				}
			}
			env["JOB_COMPLETION_INDEX"] = "0"
			for _, from := range c.EnvFrom {
				require.NotNil(t, from.ConfigMapRef, where)
				cm, ok := m.configMaps[from.ConfigMapRef.Name]
				require.True(t, ok, "%s: ConfigMap %s", where, from.ConfigMapRef.Name)
				for k, v := range cm.Data {
					env[k] = v
				}
			}
			args := make([]string, len(c.Args))
			for i, a := range c.Args {
				args[i] = varRef.ReplaceAllStringFunc(a, func(ref string) string {
					name := varRef.FindStringSubmatch(ref)[1]
					v, ok := env[name]
					assert.True(t, ok, "%s: $(%s) is not in its environment, so the kubelet would leave it as it is", where, name)
					return v
				})
			}
			cmd, rest, err := newRootCmd().Find(args)
			require.NoError(t, err, "%s: %v", where, args)
			require.NoError(t, cmd.ParseFlags(rest), "%s: %v", where, args)
			if f := cmd.Flags().Lookup("shard"); f != nil && f.Changed {
				_, err := load.ParseShard(f.Value.String())
				assert.NoError(t, err, where)
			}
			if f := cmd.Flags().Lookup("start"); f != nil && f.Changed {
				_, err := parseStart(f.Value.String())
				var ee *exitError
				if errors.As(err, &ee) && strings.Contains(ee.Error(), "away") {
					err = nil // a START far ahead of today is a placeholder's business
				}
				assert.NoError(t, err, where)
			}
		}
	}

	for _, svc := range m.services {
		ports := map[string]bool{}
		for _, d := range m.deployments {
			if d.Spec.Template.Labels["app.kubernetes.io/component"] == svc.Spec.Selector["app.kubernetes.io/component"] {
				for _, c := range d.Spec.Template.Spec.Containers {
					for _, p := range c.Ports {
						ports[p.Name] = true
					}
				}
			}
		}
		for _, p := range svc.Spec.Ports {
			assert.True(t, ports[p.TargetPort.String()], "service %s: port %s targets %s, a port of the pods it selects", svc.Name, p.Name, p.TargetPort.String())
		}
	}

	sc, ok := m.configMaps["thongsuot-scenario"]
	require.True(t, ok)
	s, err := scenarios.Parse([]byte(sc.Data["scenario.yaml"]), "scenario.yaml")
	require.NoError(t, err, "the scenario the pods run")
	plan, err := load.NewPlan(s)
	require.NoError(t, err)
	assert.InDelta(t, 1800, load.Peak(plan.Series(200)).Rate, 90, "the rate its comments size the shards for")
}

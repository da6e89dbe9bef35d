package main

import (
	"bytes"
	"encoding/json"
	"errors"
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
			strict := func(out any) {
				d := json.NewDecoder(bytes.NewReader(js))
				d.DisallowUnknownFields()
				require.NoError(t, d.Decode(out), "%s document %d (%s %s)", file, doc, head.APIVersion, head.Kind)
			}
			switch head.APIVersion + " " + head.Kind {
			case "v1 Namespace":
				var o corev1.Namespace
				strict(&o)
				m.namespaces = append(m.namespaces, o)
			case "v1 ConfigMap":
				var o corev1.ConfigMap
				strict(&o)
				m.configMaps[o.Name] = o
			case "v1 Secret":
				var o corev1.Secret
				strict(&o)
				m.secrets[o.Name] = o
			case "v1 PersistentVolumeClaim":
				var o corev1.PersistentVolumeClaim
				strict(&o)
				m.claims[o.Name] = o
			case "v1 Service":
				var o corev1.Service
				strict(&o)
				m.services = append(m.services, o)
			case "apps/v1 Deployment":
				var o appsv1.Deployment
				strict(&o)
				m.deployments = append(m.deployments, o)
			case "batch/v1 Job":
				var o batchv1.Job
				strict(&o)
				m.jobs[o.Name] = o
			default:
				t.Fatalf("%s document %d: unexpected %s %s", file, doc, head.APIVersion, head.Kind)
			}
		}
	}
	return m
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

	sc, ok := m.configMaps["thongsuot-scenario"]
	require.True(t, ok)
	s, err := scenarios.Parse([]byte(sc.Data["scenario.yaml"]), "scenario.yaml")
	require.NoError(t, err, "the scenario the pods run")
	plan, err := load.NewPlan(s)
	require.NoError(t, err)
	assert.InDelta(t, 1800, load.Peak(plan.Series(200)).Rate, 90, "the rate its comments size the shards for")
}

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
)

const sideBySideScenario = `version: 1
name: side-by-side
clock: {start: 2025-07-01 08:00, end: +15m, compress: 60}
load: {baseline: 30/s, users: 10, timeout: 3s}
mix:
  - {class: catalogue, weight: 3}
  - {class: status, weight: 1}
  - {class: submit, weight: 1}
slos:
  window: 1m
  min_requests: 5
  objectives:
    - {name: availability, kind: availability, target: 99%}
    - {name: no dossier lost, kind: zero_loss}
`

// Two runs on one Docker engine at once, by two different binaries — two engineers'
// builds, each building an image of its own and pruning as it builds — both pass (or,
// on a machine too busy to judge, are inconclusive: nothing fails), each builds its
// image once (none was removed under it), and neither leaves a container, network or
// volume behind.
func TestTwoContainersRunsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries and runs two stacks in containers")
	}
	runtimetest.RequireDocker(t)
	nonce := make([]byte, 4)
	_, _ = rand.Read(nonce)
	scenario := writeScenario(t, sideBySideScenario)
	type run struct {
		bin, out       string
		cmd            *exec.Cmd
		stdout, stderr bytes.Buffer
	}
	runs := make([]*run, 2)
	var images []string
	for i, side := range []string{"a", "b"} {
		r := &run{bin: runtimetest.VersionedBinary(t, "side-"+side+"-"+hex.EncodeToString(nonce)), out: filepath.Join(t.TempDir(), side)}
		ref, err := runtime.ReferenceImage(r.bin)
		require.NoError(t, err)
		images = append(images, ref)
		r.cmd = exec.Command(r.bin, "run", scenario, "--runtime", "containers", "--out", r.out)
		r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
		r.cmd.Env = append(withoutEnv(os.Environ(), runtime.BinaryEnv), "TESTCONTAINERS_RYUK_DISABLED=true")
		runs[i] = r
	}
	require.NotEqual(t, images[0], images[1], "two binaries, two images")
	t.Cleanup(func() { // the engine as the test found it: these images are the test's
		cli, err := client.New(client.FromEnv)
		if err != nil {
			return
		}
		defer cli.Close()
		for _, ref := range images {
			_, _ = cli.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{PruneChildren: true})
		}
	})

	var wg sync.WaitGroup
	for _, r := range runs {
		require.NoError(t, r.cmd.Start())
		wg.Add(1)
		go func() { defer wg.Done(); _ = r.cmd.Wait() }()
	}
	wg.Wait()

	var pids []int
	for i, r := range runs {
		pids = append(pids, r.cmd.Process.Pid)
		sum := requireNothingFailed(t, r.cmd.ProcessState.ExitCode(), r.stdout.String(), r.stderr.String(), r.out)
		assert.Equal(t, 1, strings.Count(r.stderr.String(), "building image "+images[i]), "run %d built its image once:\n%s", i, &r.stderr)
		assert.Equal(t, "containers", sum.Runtime)
		require.NotNil(t, sum.Reconciliation)
		assert.Empty(t, sum.Reconciliation.Missing)
	}
	assert.Empty(t, runtimetest.Left(t, pids...), "neither run left anything behind")
}

// withoutEnv is env without the variable name.
func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

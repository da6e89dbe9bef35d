package runtime_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/runtime/runtimetest"
)

// testImage is a tiny FROM scratch image of one random file: a tag of its own.
func testImage(t *testing.T) runtime.ImageSpec {
	t.Helper()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	path := filepath.Join(t.TempDir(), "payload")
	require.NoError(t, os.WriteFile(path, []byte(hex.EncodeToString(b)), 0o644))
	return runtime.ImageSpec{Repo: "thongsuot-hygiene-test", Dockerfile: "FROM scratch\nCOPY payload /payload\n", Files: map[string]string{"payload": path}}
}

// exitedPID is the pid of a process that has ended: a builder that is gone.
func exitedPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	require.NoError(t, cmd.Run())
	return cmd.Process.Pid
}

// Building an image removes only images no living owner uses: those this process
// built and those whose builder is gone, unless a container (a pin) still uses them.
// An image a living process built — a concurrent run of another binary — stays, and
// so does an image without the label, whose owner cannot be told.
func TestPruneKeepsImagesOfLivingOwners(t *testing.T) {
	runtimetest.RequireDocker(t)
	ctx := context.Background()
	cli, err := runtime.DockerClient(ctx)
	require.NoError(t, err)
	defer cli.Close()

	other := exec.Command("sleep", "300") // another thongsuot process, alive
	require.NoError(t, other.Start())
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()

	var refs []string
	t.Cleanup(func() {
		for _, ref := range refs {
			_, _ = cli.ImageRemove(context.Background(), ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		}
	})
	build := func(builder int) string {
		spec := testImage(t)
		tag, err := spec.Tag()
		require.NoError(t, err)
		require.NoError(t, runtime.BuildImage(ctx, spec, tag, builder))
		refs = append(refs, spec.Repo+":"+tag)
		return spec.Repo + ":" + tag
	}
	exists := func(ref string) bool { _, err := cli.ImageInspect(ctx, ref); return err == nil }

	living := build(other.Process.Pid)
	gone := build(exitedPID(t))
	mine := build(os.Getpid())
	unlabelled := build(0)
	inUse := build(exitedPID(t))
	user, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Image: inUse, Config: &container.Config{Cmd: []string{"/payload"}}})
	require.NoError(t, err)
	defer cli.ContainerRemove(ctx, user.ID, client.ContainerRemoveOptions{Force: true})

	built := 0
	spec := testImage(t)
	held, err := runtime.EnsureImage(ctx, cli, spec, map[string]string{runtime.LabelPID: "0"}, func(string, ...any) { built++ })
	require.NoError(t, err)
	refs = append(refs, held.Ref)
	assert.Equal(t, 1, built)

	assert.True(t, exists(held.Ref), "the image just built stays")
	assert.True(t, exists(living), "the image of a living builder stays")
	assert.True(t, exists(unlabelled), "an image without the label is not thongsuot's to remove")
	assert.True(t, exists(inUse), "an image a container uses stays")
	assert.False(t, exists(gone), "the image of a builder that is gone, unused, goes")
	assert.False(t, exists(mine), "an older image of this process, unused, goes")

	// Held, the image survives a prune by anyone; the same content is not built again.
	runtime.PruneImages(ctx, cli, "")
	assert.True(t, exists(held.Ref), "a held image stays")
	again, err := runtime.EnsureImage(ctx, cli, spec, nil, func(string, ...any) { built++ })
	require.NoError(t, err)
	assert.Equal(t, held.Ref, again.Ref)
	assert.Equal(t, 1, built, "reused, not built again")
	require.NoError(t, again.Release(ctx))
	require.NoError(t, held.Release(ctx))
	runtime.PruneImages(ctx, cli, "")
	assert.False(t, exists(held.Ref), "released and built by this process, it goes")
}

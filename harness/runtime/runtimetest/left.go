package runtimetest

import (
	"context"
	"strconv"
	"testing"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/harness/runtime"
)

// Left lists the containers, networks and volumes that runs of the given processes
// left on the engine. Other processes' — another engineer's concurrent runs on the
// same engine — are not this test's to judge, nor an image a test holds outside any run.
func Left(t testing.TB, pids ...int) []string {
	t.Helper()
	cli, err := client.New(client.FromEnv)
	require.NoError(t, err)
	defer cli.Close()
	ctx := context.Background()
	var left []string
	for _, pid := range pids {
		filter := client.Filters{}.Add("label", runtime.LabelRun).Add("label", runtime.LabelPID+"="+strconv.Itoa(pid))
		cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
		require.NoError(t, err)
		for _, c := range cs.Items {
			left = append(left, "container "+c.ID[:12]+" "+c.Image)
		}
		ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
		require.NoError(t, err)
		for _, n := range ns.Items {
			left = append(left, "network "+n.Name)
		}
		vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: filter})
		require.NoError(t, err)
		for _, v := range vs.Items {
			left = append(left, "volume "+v.Name)
		}
	}
	return left
}

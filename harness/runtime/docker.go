package runtime

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// Labels on every container, network and volume a run creates, so that leftovers of
// a crashed run can be found and removed.
const (
	LabelRun = "org.thongsuot.run" // the run's id
	LabelPID = "org.thongsuot.pid" // the process that owns it
)

// dockerEnv is the testcontainers configuration this environment needs: no Ryuk (its
// image cannot be pulled), no registry credentials, ports mapped on 127.0.0.1.
var dockerEnv = map[string]string{
	"TESTCONTAINERS_RYUK_DISABLED": "true",
	"DOCKER_AUTH_CONFIG":           "{}",
	"TESTCONTAINERS_HOST_OVERRIDE": "127.0.0.1",
}

func setDockerEnv() {
	for k, v := range dockerEnv {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
		}
	}
	// testcontainers logs every container step; the runtime says what matters itself.
	tclog.SetDefault(tclog.NewNoopLogger())
}

// DockerAvailable reports whether a Docker engine answers within 3 s, and why not.
func DockerAvailable(ctx context.Context) error {
	cli, err := dockerClient(ctx)
	if err != nil {
		return err
	}
	return cli.Close()
}

func dockerClient(ctx context.Context) (*testcontainers.DockerClient, error) {
	setDockerEnv()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("no Docker engine: %w", err)
	}
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		cli.Close()
		return nil, fmt.Errorf("no Docker engine answers: %w", err)
	}
	return cli, nil
}

// RemoveLeftovers removes the containers, networks and volumes of runs whose process
// is gone (killed, crashed), and the pins of images such processes held. Resources of
// live processes are left alone: two runs on one engine never remove each other's.
func RemoveLeftovers(ctx context.Context, cli client.APIClient) error {
	var errs []error
	alive := func(labels map[string]string) bool {
		pid, err := strconv.Atoi(labels[LabelPID])
		return err == nil && processAlive(pid)
	}
	filter := client.Filters{}.Add("label", LabelRun)
	// Containers by owner, not run: the pins that hold images carry no run of their own.
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: client.Filters{}.Add("label", LabelPID)})
	if err != nil {
		return fmt.Errorf("listing leftover containers: %w", err)
	}
	for _, c := range cs.Items {
		if !alive(c.Labels) {
			_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			errs = append(errs, err)
		}
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("listing leftover networks: %w", err))...)
	}
	for _, n := range ns.Items {
		if !alive(n.Labels) {
			_, err := cli.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
			errs = append(errs, err)
		}
	}
	vs, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: filter})
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("listing leftover volumes: %w", err))...)
	}
	for _, v := range vs.Items {
		if !alive(v.Labels) {
			_, err := cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

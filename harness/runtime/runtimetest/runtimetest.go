// Package runtimetest helps tests that need a real runtime: it decides whether Docker
// tests run, skip or fail, and builds the static binary the containers runtime puts
// in its image.
package runtimetest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/thongsuot/thongsuot/harness/runtime"
)

// RequireDockerEnv makes Docker tests fail instead of skip when no engine answers.
const RequireDockerEnv = "THONGSUOT_REQUIRE_DOCKER"

// RequireDocker skips t when no Docker engine answers, unless THONGSUOT_REQUIRE_DOCKER=1,
// in which case t fails.
func RequireDocker(t testing.TB) {
	t.Helper()
	err := runtime.DockerAvailable(context.Background())
	if err == nil {
		return
	}
	if os.Getenv(RequireDockerEnv) == "1" {
		t.Fatalf("%s=1 but Docker is not available: %v", RequireDockerEnv, err)
	}
	t.Skipf("skipping: %v (set %s=1 to make this a failure)", err, RequireDockerEnv)
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildOut  []byte
)

// Binary builds the static thongsuot binary once per test process and points
// $THONGSUOT_BINARY at it, so the containers runtime uses it for its image.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() { binary, buildOut, buildErr = build("") })
	if buildErr != nil {
		t.Fatalf("building the static thongsuot binary: %v\n%s", buildErr, buildOut)
	}
	t.Setenv(runtime.BinaryEnv, binary)
	return binary
}

// VersionedBinary builds a static thongsuot binary that says it is version: another
// binary, with an image of its own, as another engineer's build would be.
func VersionedBinary(t testing.TB, version string) string {
	t.Helper()
	bin, out, err := build(version)
	if err != nil {
		t.Fatalf("building thongsuot %s: %v\n%s", version, err, out)
	}
	t.Cleanup(func() { os.RemoveAll(filepath.Dir(bin)) })
	return bin
}

// build builds the static binary into a temporary folder; version "" keeps the default.
func build(version string) (string, []byte, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "thongsuot-bin-*")
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "thongsuot")
	args := []string{"build", "-trimpath", "-o", bin}
	if version != "" {
		args = append(args, "-ldflags", "-X main.version="+version)
	}
	cmd := exec.Command("go", append(args, "./cmd/thongsuot")...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	return bin, out, err
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(string(out[:len(out)-1])), nil
}

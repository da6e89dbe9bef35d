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
	buildOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			buildErr = err
			return
		}
		dir, err := os.MkdirTemp("", "thongsuot-bin-*")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "thongsuot")
		cmd := exec.Command("go", "build", "-trimpath", "-o", binary, "./cmd/thongsuot")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("building the static thongsuot binary: %v\n%s", buildErr, buildOut)
	}
	t.Setenv(runtime.BinaryEnv, binary)
	return binary
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(string(out[:len(out)-1])), nil
}

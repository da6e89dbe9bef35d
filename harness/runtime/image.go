package runtime

import (
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// ImageRepo is the repository of the one image every role runs from.
const ImageRepo = "thongsuot"

// BinaryEnv names a static thongsuot binary for the image, overriding this executable.
const BinaryEnv = "THONGSUOT_BINARY"

const dockerfile = `FROM scratch
COPY thongsuot /thongsuot
ENTRYPOINT ["/thongsuot"]
`

// imageBinary is the binary the image is built from: $THONGSUOT_BINARY, or this
// executable. It must be static: a scratch image has no libc.
func imageBinary(explicit string) (string, error) {
	path := explicit
	if path == "" {
		path = os.Getenv(BinaryEnv)
	}
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", err
		}
		path = exe
		if !strings.HasPrefix(filepath.Base(exe), "thongsuot") {
			return "", fmt.Errorf("the containers runtime puts the thongsuot binary in its image, but this process is %s: set %s to a static thongsuot binary (make build)", exe, BinaryEnv)
		}
	}
	if err := checkStatic(path); err != nil {
		return "", err
	}
	return path, nil
}

// checkStatic fails for a dynamically linked ELF file.
func checkStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("image binary %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("image binary %s is dynamically linked; a FROM scratch image needs a static one: build with CGO_ENABLED=0 (make build)", path)
		}
	}
	return nil
}

// imageTag is the content hash of the binary: the image is rebuilt exactly when the
// binary changes.
func imageTag(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// ensureImage returns the image for binary, building it only when no image has that
// content hash yet. Nothing is pulled: FROM scratch needs no base image.
func ensureImage(ctx context.Context, cli *testcontainers.DockerClient, binary string, say func(string, ...any)) (string, error) {
	tag, err := imageTag(binary)
	if err != nil {
		return "", fmt.Errorf("hashing %s: %w", binary, err)
	}
	ref := ImageRepo + ":" + tag
	if _, err := cli.ImageInspect(ctx, ref); err == nil {
		return ref, nil
	}
	say("building image %s from %s", ref, binary)
	dir, err := os.MkdirTemp("", "thongsuot-image-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return "", err
	}
	if err := copyFile(binary, filepath.Join(dir, "thongsuot")); err != nil {
		return "", err
	}
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return "", err
	}
	defer provider.Close()
	built, err := provider.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: ImageRepo, Tag: tag, KeepImage: true,
	}})
	if err != nil {
		return "", fmt.Errorf("building image %s: %w", ref, err)
	}
	pruneImages(ctx, cli, ref)
	return built, nil
}

// pruneImages removes the images of older binaries, so that rebuilding thongsuot does
// not pile images up. Images a container still uses are refused by Docker and stay.
func pruneImages(ctx context.Context, cli *testcontainers.DockerClient, keep string) {
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{Filters: client.Filters{}.Add("reference", ImageRepo)})
	if err != nil {
		return
	}
	for _, img := range imgs.Items {
		if slices.Contains(img.RepoTags, keep) {
			continue
		}
		for _, tag := range img.RepoTags {
			_, _ = cli.ImageRemove(ctx, tag, client.ImageRemoveOptions{PruneChildren: true})
		}
	}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

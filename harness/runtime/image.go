package runtime

import (
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// ImageRepo is the repository of the one image every reference role runs from.
const ImageRepo = "thongsuot"

// BinaryEnv names a static thongsuot binary for the image, overriding this executable.
const BinaryEnv = "THONGSUOT_BINARY"

// LabelBuiltBy is on every image thongsuot builds: the process that built it. A process
// removes only images it built itself or whose builder is gone — never an image another
// living process (a concurrent run of another binary) built and is about to use.
const LabelBuiltBy = "org.thongsuot.built-by"

// labelPin marks a container that is created and never started: it holds its image in
// use, because Docker refuses to remove an image a container was created from.
const labelPin = "org.thongsuot.pin"

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
	if err := CheckStatic(path); err != nil {
		return "", err
	}
	return path, nil
}

// CheckStatic fails for a dynamically linked ELF file.
func CheckStatic(path string) error {
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

// ImageSpec is an image built from a Dockerfile and files of this machine, FROM scratch:
// nothing is pulled.
type ImageSpec struct {
	Repo       string
	Dockerfile string
	// Files go into the build context: name in the context → path on this machine.
	Files map[string]string
}

// ReferenceImage names the image the containers runtime builds from binary.
func ReferenceImage(binary string) (string, error) {
	tag, err := referenceImage(binary).tag()
	return ImageRepo + ":" + tag, err
}

// referenceImage is the image of the reference roles: the static thongsuot binary.
func referenceImage(binary string) ImageSpec {
	return ImageSpec{Repo: ImageRepo, Dockerfile: dockerfile, Files: map[string]string{"thongsuot": binary}}
}

// tag is the content hash of the Dockerfile and every file: the image is rebuilt
// exactly when one of them changes.
func (s ImageSpec) tag() (string, error) {
	h := sha256.New()
	io.WriteString(h, s.Dockerfile)
	names := make([]string, 0, len(s.Files))
	for name := range s.Files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fmt.Fprintf(h, "\x00%s\x00", name)
		f, err := os.Open(s.Files[name])
		if err != nil {
			return "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("hashing %s: %w", s.Files[name], err)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// HeldImage is an image held in use by a pin container until Release.
type HeldImage struct {
	Ref    string
	cli    client.APIClient
	pin    string
	closer func() error // the client, when HoldImage made it
}

// Release lets the image go: another process may remove it once nothing uses it.
func (h *HeldImage) Release(ctx context.Context) error {
	if h == nil || h.pin == "" {
		return nil
	}
	_, err := h.cli.ContainerRemove(ctx, h.pin, client.ContainerRemoveOptions{Force: true})
	h.pin = ""
	if h.closer != nil {
		err = errors.Join(err, h.closer())
	}
	return err
}

// HoldImage is EnsureImage for a process that holds an image outside any run (a test
// building a portal image of its own): the pin is this process's.
func HoldImage(ctx context.Context, spec ImageSpec, say func(string, ...any)) (*HeldImage, error) {
	cli, err := dockerClient(ctx)
	if err != nil {
		return nil, err
	}
	h, err := EnsureImage(ctx, cli, spec, map[string]string{LabelPID: strconv.Itoa(os.Getpid())}, say)
	if err != nil {
		return nil, errors.Join(err, cli.Close())
	}
	h.closer = cli.Close
	return h, nil
}

// pinAttempts bounds how often an image removed between our check and our pin (by a
// process that saw it unused) is built again.
const pinAttempts = 3

// EnsureImage returns spec's image, tagged with its content hash and built only when no
// image has that tag yet, held in use (labels go on the pin container) until Release.
// Building it removes the images this process built before, and those whose builder is
// gone, that nothing uses.
func EnsureImage(ctx context.Context, cli client.APIClient, spec ImageSpec, labels map[string]string, say func(string, ...any)) (*HeldImage, error) {
	tag, err := spec.tag()
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", spec.Repo, err)
	}
	ref := spec.Repo + ":" + tag
	for attempt := 1; ; attempt++ {
		if _, err := cli.ImageInspect(ctx, ref); err != nil {
			if !cerrdefs.IsNotFound(err) {
				return nil, fmt.Errorf("image %s: %w", ref, err)
			}
			say("building image %s", ref)
			if err := buildImage(ctx, spec, tag, os.Getpid()); err != nil {
				return nil, err
			}
			pruneImages(ctx, cli, ref)
		}
		pin, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Config: &container.Config{Image: ref, Labels: withLabel(labels, labelPin, ref), Cmd: []string{"pin"}},
		})
		if err == nil {
			return &HeldImage{Ref: ref, cli: cli, pin: pin.ID}, nil
		}
		if !cerrdefs.IsNotFound(err) || attempt == pinAttempts {
			return nil, fmt.Errorf("holding image %s: %w", ref, err)
		}
	}
}

func withLabel(labels map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for lk, lv := range labels {
		out[lk] = lv
	}
	return out
}

// buildImage builds spec as repo:tag from a temporary context holding only its files,
// labelled as built by the process builder (0: unlabelled, as older thongsuot built).
func buildImage(ctx context.Context, spec ImageSpec, tag string, builder int) error {
	dir, err := os.MkdirTemp("", "thongsuot-image-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(spec.Dockerfile), 0o644); err != nil {
		return err
	}
	for name, path := range spec.Files {
		if err := copyFile(path, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("image context: %w", err)
		}
	}
	provider, err := testcontainers.NewDockerProvider()
	if err != nil {
		return err
	}
	defer provider.Close()
	_, err = provider.BuildImage(ctx, &testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: dir, Repo: spec.Repo, Tag: tag, KeepImage: true,
		BuildOptionsModifier: func(o *client.ImageBuildOptions) {
			if builder != 0 {
				o.Labels = map[string]string{LabelBuiltBy: strconv.Itoa(builder)}
			}
		},
	}})
	if err != nil {
		return fmt.Errorf("building image %s:%s: %w", spec.Repo, tag, err)
	}
	return nil
}

// pruneImages removes the images thongsuot built that no living owner uses: built by
// this process, or by one that is gone. Docker refuses to remove an image a container
// (a run's, or a pin) uses, and nothing here forces it. Images without the label — the
// user's, or those of older thongsuot builds whose owner cannot be told — are left alone.
func pruneImages(ctx context.Context, cli client.APIClient, keep string) {
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{All: true, Filters: client.Filters{}.Add("label", LabelBuiltBy)})
	if err != nil {
		return
	}
	for _, img := range imgs.Items {
		pid, _ := strconv.Atoi(img.Labels[LabelBuiltBy])
		if slices.Contains(img.RepoTags, keep) || (pid != os.Getpid() && processAlive(pid)) {
			continue
		}
		refs := img.RepoTags
		if len(refs) == 0 {
			refs = []string{img.ID}
		}
		for _, ref := range refs {
			_, _ = cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true})
		}
	}
}

// imageDigest names the image's content as the engine knows it: its registry digest
// when it came from a registry, else its local ID (both sha256).
func imageDigest(ctx context.Context, cli client.APIClient, ref string) (string, error) {
	img, err := cli.ImageInspect(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return "", fmt.Errorf("image %s is not on this Docker engine: build or pull it first (thongsuot never pulls)", ref)
		}
		return "", fmt.Errorf("image %s: %w", ref, err)
	}
	for _, d := range img.RepoDigests {
		if _, digest, ok := strings.Cut(d, "@"); ok {
			return digest, nil
		}
	}
	return img.ID, nil
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

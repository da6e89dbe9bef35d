package runtimetest

import (
	"context"
	"sync"
	"testing"

	"github.com/thongsuot/thongsuot/harness/runtime"
)

// PackagedPortalPort is where the packaged portal listens in its container.
const PackagedPortalPort = 9090

// packagedPortal is the reference portal packaged the way another team's portal image
// would be: its own name and tag, the binary under its own path, port 9090, and no
// thongsuot variable names of its own — the scenario maps the contract onto its flags.
const packagedPortal = `FROM scratch
COPY thongsuot /opt/npsp/portal-server
EXPOSE 9090
ENTRYPOINT ["/opt/npsp/portal-server", "stub", "portal"]
`

var (
	portalOnce sync.Once
	portalImg  *runtime.HeldImage
	portalErr  error
)

// PackagedPortal builds (once per content: never pulled) the reference portal packaged
// as a different image, held for the rest of the test process, and returns NAME:TAG.
func PackagedPortal(t testing.TB) string {
	t.Helper()
	bin := Binary(t)
	portalOnce.Do(func() {
		spec := runtime.ImageSpec{Repo: "npsp-portal-test", Dockerfile: packagedPortal, Files: map[string]string{"thongsuot": bin}}
		portalImg, portalErr = runtime.HoldImage(context.Background(), spec, func(format string, args ...any) { t.Logf(format, args...) })
	})
	if portalErr != nil {
		t.Fatalf("building the packaged portal image: %v", portalErr)
	}
	return portalImg.Ref
}

// ReleaseImages lets go of the images this process held (TestMain, after the tests).
func ReleaseImages() {
	if portalImg != nil {
		_ = portalImg.Release(context.Background())
	}
}

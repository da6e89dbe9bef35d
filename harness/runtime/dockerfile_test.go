package runtime

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// `make image` builds the cluster's image from deploy/kubernetes/Dockerfile: the same
// FROM scratch image the containers runtime builds, so a cluster runs what CI ran.
func TestClusterImageIsTheRuntimesImage(t *testing.T) {
	data, err := os.ReadFile("../../deploy/kubernetes/Dockerfile")
	require.NoError(t, err)
	assert.Equal(t, dockerfile, string(data))
}

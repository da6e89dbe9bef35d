package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/thongsuot/thongsuot/stubs/registry"
)

// The registries a scenario can name are the ones the registry stub serves: a link
// "portal->registry.<name>" exists for each, and no more.
func TestRegistriesAreTheStubsRegistries(t *testing.T) {
	assert.ElementsMatch(t, registry.Names, Registries)
}

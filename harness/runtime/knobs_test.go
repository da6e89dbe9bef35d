package runtime

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/thongsuot/thongsuot/scenarios"
)

// Knobs are turned on the reference stubs only: the admin token never goes to a role
// the runtime did not start from its own stubs, nor to the reference registry server
// for a registry an image stands in for.
func TestKnobsOnlyOnReferenceRoles(t *testing.T) {
	sut := scenarios.SUT{Identity: scenarios.Role{URL: "https://vneid.example.gov.vn"},
		Registries: map[string]scenarios.Role{"land": {Image: "land:1"}}}
	direct := map[string]string{"portal": "http://127.0.0.1:1", "identity": "https://vneid.example.gov.vn",
		"registry": "http://127.0.0.1:2", "registry.land": "http://127.0.0.1:3", "province": "http://127.0.0.1:4"}
	a := newAdminKnobs(append(stackRoles(sut), provinceRoles(sut)...), direct, "secret")
	tests := []struct {
		target, url, err string
	}{
		{"registry.population", "http://127.0.0.1:2/admin/v1/knobs/population", ""},
		{"province.79", "http://127.0.0.1:4/admin/v1/knobs/79", ""},
		{"identity", "", "no reference identity"},
		{"registry.land", "", "not the reference's"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			u, err := a.url(tt.target)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.url, u)
		})
	}
	_, err := a.Knob(context.Background(), "identity")
	assert.Error(t, err, "nothing is sent")
}

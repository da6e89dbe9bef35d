package units

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCountsMatchTheReform(t *testing.T) {
	types := map[Type]int{}
	for _, u := range All() {
		types[u.Type]++
	}
	assert.Len(t, All(), 3321)
	assert.Len(t, Provinces(), 34)
	assert.Equal(t, map[Type]int{Commune: 2621, Ward: 687, SpecialZone: 13}, types)
}

func TestLookup(t *testing.T) {
	tests := []struct {
		code, name, province string
		ok                   bool
	}{
		{"00004", "Ba Đình", "01", true},
		{"99999", "", "", false},
	}
	for _, tt := range tests {
		u, ok := Lookup(tt.code)
		require.Equal(t, tt.ok, ok, tt.code)
		assert.Equal(t, tt.name, u.Name)
		assert.Equal(t, tt.province, u.ProvinceCode)
	}
}
